#pragma once
// In-process tests of the cuda layer on the emulated CUDA driver (tuner/emu_driver/). The driver
// reads its switches once, at the first driver call of the process: call this before that, from a
// namespace-scope initializer (`const bool kEmulatedDriver = emudrv::use_emulated_driver();`).
#include "baselines/provider.hpp"
#include "baselines/timer.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <initializer_list>
#include <string>
#include <utility>

namespace emudrv {

// One emulator thread (the tests are small; ctest runs several at once), plus `switches`, e.g.
// {"LUTGEMM_EMUCUDA_REUSE", "1"}.
inline bool
use_emulated_driver(std::initializer_list<std::pair<const char*, std::string>> switches = {}) {
  setenv("LUTGEMM_CUDA_DRIVER", LUTGEMM_EMU_DRIVER_PATH, 1);
  setenv("LUTGEMM_EMUCUDA_THREADS", "1", 1);
  for (const auto& [name, value] : switches)
    setenv(name, value.c_str(), 1);
  return true;
}

// Three samples after one warm-up: the emulator's wall clock says nothing about a GPU, only that
// the timing loop runs the operation and rotates its copies.
inline lutgemm::baselines::EventTimer short_event_timer() {
  lutgemm::baselines::EventTimerOptions options;
  options.warmup = 1;
  options.min_samples = 3;
  options.max_samples = 3;
  options.min_total_ms = 0;
  return lutgemm::baselines::EventTimer(options);
}

// The provider's prepare() on `inputs` must fail with one line that contains `expected`.
inline void expect_prepare_refuses(const std::string& provider,
                                   const lutgemm::baselines::BaselineInputs& inputs,
                                   const std::string& expected) {
  try {
    (void)lutgemm::baselines::make_provider(provider)->prepare(inputs, {});
    ADD_FAILURE() << provider << " prepared; expected it to fail with \"" << expected << "\"";
  } catch (const std::exception& e) {
    const std::string what = e.what();
    EXPECT_EQ(what.find('\n'), std::string::npos) << what;
    EXPECT_NE(what.find(expected), std::string::npos) << what;
  }
}

} // namespace emudrv
