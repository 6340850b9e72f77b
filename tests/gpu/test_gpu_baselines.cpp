// On a real device: every baseline provider that supports the problem computes y = W x (checked
// against a double reference of the same fp16 inputs) and gives positive times, with its cold
// weight rotation. Without a device every test skips with the driver's one-line reason, and CTest
// shows the binary as skipped (SKIP_REGULAR_EXPRESSION in tests/CMakeLists.txt).
#include "baselines/fp16_bits.hpp"
#include "baselines/provider.hpp"
#include "baselines/timer.hpp"
#include "cuda/context.hpp"
#include "cuda/driver_api.hpp"
#include "cuda/memory.hpp"

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
  const auto inputs = baselines::make_random_inputs(problem, 7);
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
    if (provider->name().starts_with("optq") || !provider->supports(problem))
      continue; // the OPTQ providers need GPTQ-packed inputs (tests of their own)
    const auto result = baselines::run(*provider, inputs, timer, options);
    ASSERT_EQ(result.output.size(), expected.size());
    double worst = 0.0;
    for (std::size_t i = 0; i < expected.size(); ++i)
      worst = std::max(worst, std::fabs(result.output[i] - expected[i]));
    // int8 quantizes both operands (about 1% of the range); the others round to fp16 at most.
    const double tolerance = provider->name() == "cublas_int8" ? 0.05 : 0.01;
    EXPECT_LT(worst / scale, tolerance) << result.config;
    EXPECT_GT(result.median_ms, 0.0);
    EXPECT_FALSE(result.timing.ms.empty());
    ++ran;
  }
  EXPECT_GE(ran, 2);
}
