// On a real device: every baseline provider that supports the problem computes y = W x (checked
// with the tune's rule against a double reference of its inputs: the fp16 weights, or the
// GPTQ-packed layer for the OPTQ providers) and gives positive times, with its cold
// weight rotation. Without a device every test skips with the driver's one-line reason, and CTest
// shows the binary as skipped (SKIP_REGULAR_EXPRESSION in tests/CMakeLists.txt). It also runs on
// the emulated CUDA driver (emudrv_gpu_test_gpu_baselines), its cuBLAS a host stand-in.
#include "baselines/cublas_api.hpp"
#include "baselines/fp16_bits.hpp"
#include "baselines/provider.hpp"
#include "baselines/timer.hpp"
#include "cuda/context.hpp"
#include "cuda/driver_api.hpp"
#include "cuda/memory.hpp"
#include "quant/generate.hpp"
#include "quant/packed_gptq.hpp"
#include "quant/uniform.hpp"
#include "search/baseline_check.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

using namespace lutgemm;

namespace {

#define LUTGEMM_REQUIRE_DEVICE()                                                                   \
  if (!cuda::driver_status().ok())                                                                 \
  GTEST_SKIP() << cuda::driver_status().message

std::vector<double> reference(const baselines::BaselineInputs& in) {
  const auto& p = in.problem;
  std::vector<double> y(static_cast<std::size_t>(p.m * p.batch));
  for (std::int64_t b = 0; b < p.batch; ++b)
    for (std::int64_t m = 0; m < p.m; ++m) {
      double sum = 0.0;
      for (std::int64_t k = 0; k < p.k; ++k)
        sum += double(baselines::detail::from_fp16(in.w_fp16[m * p.k + k])) *
               double(baselines::detail::from_fp16(in.x_fp16[b * p.k + k]));
      y[b * p.m + m] = sum;
    }
  return y;
}

} // namespace

TEST(GpuMemory, AllocationsAreFilledAndReadBack) {
  LUTGEMM_REQUIRE_DEVICE();
  cuda::PrimaryContext context(0);
  cuda::DeviceBuffer buffer(4096);
  buffer.fill(0xA5);
  const auto bytes = buffer.download_as<std::uint8_t>(4096);
  EXPECT_TRUE(std::all_of(bytes.begin(), bytes.end(), [](std::uint8_t v) { return v == 0xA5; }));
}

TEST(GpuBaselines, EverySupportedProviderComputesWxAndIsTimed) {
  LUTGEMM_REQUIRE_DEVICE();
  cuda::PrimaryContext context(0);
  const Problem problem{.m = 1024, .k = 1024, .batch = 4, .bits = 4, .group = 128};
  auto inputs = baselines::make_random_inputs(problem, 7);
  // The OPTQ providers run on the GPTQ-packed layer.
  const PackedGptq gptq =
      pack_gptq(quantize_rtn(gaussian_weights(problem.m, problem.k, 8, 0.05f), problem.m, problem.k,
                             problem.bits, problem.group));
  inputs.gptq = &gptq;
  const auto expected = reference(inputs);
  double scale = 0.0;
  for (double v : expected)
    scale = std::max(scale, std::fabs(v));
  baselines::EventTimerOptions timer_options;
  timer_options.max_total_ms = 50.0;
  baselines::EventTimer timer(timer_options);
  baselines::PrepareOptions options;
  options.cold_l2_bytes = 64 << 20;
  int ran = 0;
  for (const auto& provider : baselines::all_providers()) {
    SCOPED_TRACE(provider->name());
    if (!provider->supports(problem))
      continue;
    // cuBLASLt has no stand-in on the emulated driver (emudrv_gpu_test_gpu_baselines runs this
    // there): it refuses with one line, which tests/emudrv/test_emudrv_cublas.cpp checks.
    if (provider->name() == "cublaslt_fp16_tuned" && baselines::cublas_api().emulated)
      continue;
    const auto result = baselines::run(*provider, inputs, timer, options);
    ASSERT_EQ(result.output.size(), expected.size());
    // The rule a tune applies (search/baseline_check.hpp); int8 quantizes both operands (about 1%
    // of the range), so it is held to that instead.
    if (const auto check = search::check_baseline_output(provider->name(), inputs, result.output)) {
      EXPECT_TRUE(check->ok) << result.config << ": " << check->message;
    } else {
      double worst = 0.0;
      for (std::size_t i = 0; i < expected.size(); ++i)
        worst = std::max(worst, std::fabs(result.output[i] - expected[i]));
      EXPECT_LT(worst / scale, 0.05) << result.config;
    }
    EXPECT_GT(result.median_ms, 0.0);
    EXPECT_FALSE(result.timing.ms.empty());
    ++ran;
  }
  EXPECT_GE(ran, 4);
}
