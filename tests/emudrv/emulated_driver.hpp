#pragma once
// In-process tests of the cuda layer on the emulated CUDA driver (tuner/emu_driver/). The driver
// reads its switches once, at the first driver call of the process: call this before that, from a
// namespace-scope initializer (`const bool kEmulatedDriver = emudrv::use_emulated_driver();`).
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

} // namespace emudrv
