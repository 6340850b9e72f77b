// The cuda backend in this process on the emulated CUDA driver, with freed blocks handed out again
// (LUTGEMM_EMUCUDA_REUSE) and a small device memory (LUTGEMM_EMUCUDA_MEMORY): a kernel that writes
// nothing must not verify on the previous variant's output, and running out of memory is one clear
// driver error.
#include "backend/cuda_backend.hpp"
#include "cuda/check.hpp"
#include "cuda/memory.hpp"
#include "emulated_driver.hpp"
#include "jit/nvrtc_compiler.hpp"
#include "search/variant_evaluator.hpp"
#include "targets/gpu_spec.hpp"

#include <gtest/gtest.h>

#include <cstdlib>

using namespace lutgemm;

namespace {

constexpr std::size_t kDeviceMemory = 64ull << 20;

// Before the first driver call of the process: the driver reads its switches once.
const bool kEmulatedDriver = emudrv::use_emulated_driver(
    {{"LUTGEMM_EMUCUDA_REUSE", "1"}, {"LUTGEMM_EMUCUDA_MEMORY", std::to_string(kDeviceMemory)}});

search::EvaluatorConfig one_variant_config() {
  search::EvaluatorConfig config;
  config.target = &find_target("a100-80gb");
  config.limits = space::target_limits(*config.target);
  config.dram_peak_gbps = config.target->dram_gbps;
  config.restrictions = {"mu=8",          "rows_per_thread=4", "threads=128", "k_tile=256",
                         "load_bits=128", "accum=f32",         "table=full",  "batch_cols=1",
                         "split=1",       "combine=none",      "copies=1",    "build=direct"};
  config.stop.min_samples = 3;
  config.stop.min_time_s = 0.0;
  config.stop.time_limit_s = 0.05; // wall-clock of the emulator: only that it runs matters here
  return config;
}

} // namespace

TEST(EmuDriverBackend, KernelThatWritesNothingIsWrongResultEvenOnAReusedOutputBlock) {
  ASSERT_TRUE(kEmulatedDriver);
  auto backend = std::make_shared<backend::CudaBackend>(0, std::make_shared<NvrtcCompiler>());
  // M != K: y's block size is its own, so the reused block y gets is the previous y.
  const Problem problem{.m = 256, .k = 512, .batch = 1, .bits = 3, .group = 128};
  search::VariantEvaluator correct(backend, one_variant_config());
  const auto variants = space::accepted_variants(correct.space(problem), problem);
  ASSERT_EQ(variants.size(), 1u);
  const auto good = correct.evaluate(problem, variants[0]);
  ASSERT_EQ(good.disposition, Disposition::ok) << good.message;

  auto config = one_variant_config();
  config.source_override = "tests/emu/kernels/noop_lutgemm.cuh";
  search::VariantEvaluator noop(backend, config);
  const auto bad = noop.evaluate(problem, variants[0]);
  EXPECT_EQ(bad.disposition, Disposition::wrong_result) << bad.message;
  EXPECT_FALSE(backend->poisoned());
}

TEST(EmuDriverBackend, OutOfMemoryIsOneDriverError) {
  ASSERT_TRUE(kEmulatedDriver);
  backend::CudaBackend backend(0, std::make_shared<NvrtcCompiler>());
  try {
    cuda::DeviceBuffer too_big(kDeviceMemory + 1);
    FAIL() << "an allocation past LUTGEMM_EMUCUDA_MEMORY succeeded";
  } catch (const cuda::DriverError& e) {
    EXPECT_EQ(e.code(), CUDA_ERROR_OUT_OF_MEMORY);
    EXPECT_NE(std::string(e.what()).find("CUDA_ERROR_OUT_OF_MEMORY"), std::string::npos)
        << e.what();
  }
  cuda::DeviceBuffer fits(1 << 20); // and the device still works
  EXPECT_EQ(fits.bytes(), std::size_t(1) << 20);
}
