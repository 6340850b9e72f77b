// The OPTQ baselines (baselines/optq_providers.cpp) on the emulated CUDA driver: the fused GEMV
// provider compiles the OPTQ family's shipped variant with NVRTC, loads it, runs it through the
// providers' timing path with rotated weight copies, and its output matches the float64 reference
// of the GPTQ-packed layer by the verifier's rule. cuBLAS cannot run on the emulated driver, so
// the dequantize-then-GEMM provider can only be checked to fail with one clear error here.
#include "baselines/provider.hpp"
#include "cuda/context.hpp"
#include "emulated_driver.hpp"
#include "kernels/optq_params.hpp"
#include "quant/generate.hpp"
#include "quant/packed_gptq.hpp"
#include "quant/reference.hpp"
#include "quant/uniform.hpp"
#include "search/verification.hpp"

#include <gtest/gtest.h>

#include <cstdlib>

using namespace lutgemm;

namespace {

const bool kEmulatedDriver = emudrv::use_emulated_driver();

struct Layer {
  baselines::BaselineInputs inputs;
  PackedGptq gptq;
};

Layer make_layer(const Problem& problem, std::uint64_t seed) {
  Layer layer;
  layer.inputs = baselines::make_random_inputs(problem, seed);
  const auto w = gaussian_weights(problem.m, problem.k, seed + 1, 0.05f);
  layer.gptq = pack_gptq(
      quantize_rtn(w, problem.m, problem.k, problem.bits, static_cast<int>(problem.group_size())));
  return layer;
}

// Three samples, one warm-up: the emulator's wall clock says nothing about a GPU, only that the
// timing loop runs the operation and rotates its copies.
baselines::EventTimer short_timer() {
  baselines::EventTimerOptions options;
  options.warmup = 1;
  options.min_samples = 3;
  options.max_samples = 3;
  options.min_total_ms = 0;
  return baselines::EventTimer(options);
}

} // namespace

TEST(EmuDriverOptq, FusedGemvMatchesTheReferenceThroughTheTimingPath) {
  ASSERT_TRUE(kEmulatedDriver);
  cuda::PrimaryContext context(0);
  auto provider = baselines::make_provider("optq_fused_gemv");
  for (const Problem problem : {Problem{.m = 300, .k = 512, .batch = 2, .bits = 3, .group = 128},
                                Problem{.m = 256, .k = 1024, .batch = 1, .bits = 4, .group = 64}}) {
    SCOPED_TRACE(to_string(problem));
    ASSERT_EQ(provider->unsupported_reason(problem), std::nullopt);
    Layer layer = make_layer(problem, 17);
    layer.inputs.gptq = &layer.gptq;
    auto timer = short_timer();
    baselines::PrepareOptions options;
    options.weight_copies = 2;
    const auto result = baselines::run(*provider, layer.inputs, timer, options);
    EXPECT_EQ(result.timing.ms.size(), 3u);
    EXPECT_NE(result.config.find("optq_gemv_q"), std::string::npos) << result.config;

    const auto reference = reference_gemm(layer.gptq, layer.inputs.x_fp16, problem.batch);
    ASSERT_EQ(result.output.size(), reference.size());
    const auto comparison = search::compare_values(result.output, reference, problem.k, false);
    EXPECT_TRUE(comparison.ok) << comparison.message;
  }
}

TEST(EmuDriverOptq, WithoutThePackedLayerPrepareSaysWhatIsMissing) {
  ASSERT_TRUE(kEmulatedDriver);
  cuda::PrimaryContext context(0);
  const Problem problem{.m = 128, .k = 256, .batch = 1, .bits = 4, .group = 128};
  const auto inputs = baselines::make_random_inputs(problem, 3);
  try {
    (void)baselines::make_provider("optq_fused_gemv")->prepare(inputs, {});
    FAIL() << "prepared without the GPTQ-packed layer";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("GPTQ-packed"), std::string::npos) << e.what();
  }
}

TEST(EmuDriverOptq, DequantizeThenGemmFailsWithOneErrorWhereCublasCannotRun) {
  ASSERT_TRUE(kEmulatedDriver);
  cuda::PrimaryContext context(0);
  const Problem problem{.m = 128, .k = 256, .batch = 1, .bits = 3, .group = 128};
  Layer layer = make_layer(problem, 5);
  layer.inputs.gptq = &layer.gptq;
  try {
    (void)baselines::make_provider("optq_dequant_gemm")->prepare(layer.inputs, {});
    GTEST_SKIP() << "cuBLAS initialised on the emulated driver (a real GPU driver is present?)";
  } catch (const std::exception& e) {
    const std::string what = e.what();
    EXPECT_EQ(what.find('\n'), std::string::npos) << what;
    EXPECT_NE(what.find("cuBLAS"), std::string::npos) << what;
  }
}
