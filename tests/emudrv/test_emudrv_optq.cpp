// The OPTQ baselines (baselines/optq_providers.cpp) on the emulated CUDA driver: the fused GEMV
// provider compiles the OPTQ family's shipped variant with NVRTC, loads it and runs it; the
// dequantize-then-GEMM provider runs the project's dequantize kernel, then GEMM on the emulated
// driver's cuBLAS stand-in (tuner/emu_driver/emulated_cublas.cpp). Both go through the providers'
// timing path with rotated weight copies, and their outputs match the float64 reference of the
// GPTQ-packed layer by the verifier's rule.
#include "baselines/provider.hpp"
#include "cuda/context.hpp"
#include "emulated_driver.hpp"
#include "kernels/optq_params.hpp"
#include "quant/generate.hpp"
#include "quant/packed_gptq.hpp"
#include "quant/uniform.hpp"
#include "search/baseline_check.hpp"

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

} // namespace

TEST(EmuDriverOptq, BothProvidersMatchTheReferenceThroughTheTimingPath) {
  ASSERT_TRUE(kEmulatedDriver);
  cuda::PrimaryContext context(0);
  for (const Problem problem : {Problem{.m = 300, .k = 512, .batch = 2, .bits = 3, .group = 128},
                                Problem{.m = 256, .k = 1024, .batch = 1, .bits = 4, .group = 64}})
    for (const char* name : {"optq_fused_gemv", "optq_dequant_gemm"}) {
      SCOPED_TRACE(to_string(problem) + " " + name);
      auto provider = baselines::make_provider(name);
      ASSERT_EQ(provider->unsupported_reason(problem), std::nullopt);
      Layer layer = make_layer(problem, 17);
      layer.inputs.gptq = &layer.gptq;
      auto timer = emudrv::short_event_timer();
      baselines::PrepareOptions options;
      options.weight_copies = 2;
      const auto result = baselines::run(*provider, layer.inputs, timer, options);
      EXPECT_EQ(result.timing.ms.size(), 3u);
      EXPECT_NE(result.config.find(std::string(name) == "optq_fused_gemv" ? "optq_gemv_q"
                                                                          : "+ cublasGemmEx"),
                std::string::npos)
          << result.config;

      // The tune's rule for each provider (search/baseline_check.hpp): the fp32 bound for the
      // fused kernel, the fp16 one for dequantize-then-GEMM, whose weights are fp16.
      ASSERT_EQ(result.output.size(), std::size_t(problem.m * problem.batch));
      const auto comparison = search::check_baseline_output(name, layer.inputs, result.output);
      ASSERT_TRUE(comparison.has_value());
      EXPECT_TRUE(comparison->ok) << comparison->message;
    }
}

TEST(EmuDriverOptq, WithoutThePackedLayerPrepareSaysWhatIsMissing) {
  ASSERT_TRUE(kEmulatedDriver);
  cuda::PrimaryContext context(0);
  const Problem problem{.m = 128, .k = 256, .batch = 1, .bits = 4, .group = 128};
  emudrv::expect_prepare_refuses("optq_fused_gemv", baselines::make_random_inputs(problem, 3),
                                 "GPTQ-packed");
}
