// A baseline's output is held to the verifier's rule against the float64 product of the weights
// the provider was given: the right product passes, a perturbed or permuted one fails, the OPTQ
// providers are checked against the packed layer (not the fp16 weights), fp16 accumulation gets
// its looser bound, and int8 (which quantizes the weights itself) is not checked.
#include "common/half.hpp"
#include "quant/generate.hpp"
#include "quant/packed_gptq.hpp"
#include "quant/reference.hpp"
#include "quant/uniform.hpp"
#include "search/baseline_check.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <utility>

using namespace lutgemm;

namespace {

const Problem kProblem{.m = 96, .k = 256, .batch = 2, .bits = 3, .group = 64};

std::vector<double> fp16_reference(const baselines::BaselineInputs& inputs) {
  std::vector<double> w(inputs.w_fp16.size());
  for (std::size_t i = 0; i < w.size(); ++i)
    w[i] = half_to_double(inputs.w_fp16[i]);
  return reference_gemm(w, kProblem.m, kProblem.k, inputs.x_fp16, kProblem.batch);
}

double rms(const std::vector<double>& v) {
  double s = 0;
  for (double x : v)
    s += x * x;
  return std::sqrt(s / double(v.size()));
}

} // namespace

TEST(BaselineCheck, TheRightProductPassesAPerturbedOrPermutedOneFails) {
  const auto inputs = baselines::make_random_inputs(kProblem, 3);
  const auto reference = fp16_reference(inputs);
  for (const char* provider :
       {"cublas_fp16_acc32", "cublas_fp16_acc16", "cublaslt_fp16_tuned", "cublas_fp32"}) {
    SCOPED_TRACE(provider);
    const auto same = search::check_baseline_output(provider, inputs, reference);
    ASSERT_TRUE(same.has_value());
    EXPECT_TRUE(same->ok) << same->message;

    auto perturbed = reference;
    perturbed[17] += 0.01 * std::abs(reference[17]) + 0.05 * rms(reference);
    const auto bad = search::check_baseline_output(provider, inputs, perturbed);
    EXPECT_FALSE(bad->ok);
    EXPECT_NE(bad->message.find("output 17"), std::string::npos) << bad->message;

    // The two activation columns swapped: what a wrong leading dimension gives.
    auto swapped = reference;
    std::swap_ranges(swapped.begin(), swapped.begin() + kProblem.m, swapped.begin() + kProblem.m);
    EXPECT_FALSE(search::check_baseline_output(provider, inputs, swapped)->ok);
  }
}

TEST(BaselineCheck, Fp16AccumulationGetsTheLooserBound) {
  const auto inputs = baselines::make_random_inputs(kProblem, 5);
  auto output = fp16_reference(inputs);
  // Between the fp32 bound (4 * 2^-24 * sqrt(K) * rms) and the fp16 one (4 * 2^-11 * ...).
  const double between = std::ldexp(1.0, -14) * std::sqrt(double(kProblem.k)) * rms(output);
  output[5] += between + std::ldexp(std::abs(output[5]), -10);
  EXPECT_TRUE(search::check_baseline_output("cublas_fp16_acc16", inputs, output)->ok);
  EXPECT_FALSE(search::check_baseline_output("cublas_fp16_acc32", inputs, output)->ok);
}

TEST(BaselineCheck, OptqIsCheckedAgainstThePackedLayerAndInt8IsNotChecked) {
  auto inputs = baselines::make_random_inputs(kProblem, 7);
  const auto w = gaussian_weights(kProblem.m, kProblem.k, 8, 0.05f);
  const PackedGptq gptq = pack_gptq(quantize_rtn(w, kProblem.m, kProblem.k, kProblem.bits, 64));
  inputs.gptq = &gptq;
  const auto packed_reference = reference_gemm(gptq, inputs.x_fp16, kProblem.batch);
  for (const char* provider : {"optq_fused_gemv", "optq_dequant_gemm"}) {
    EXPECT_TRUE(search::check_baseline_output(provider, inputs, packed_reference)->ok) << provider;
    EXPECT_FALSE(search::check_baseline_output(provider, inputs, fp16_reference(inputs))->ok)
        << provider << ": the fp16 weights are not the layer it was given";
  }
  EXPECT_FALSE(search::check_baseline_output("cublas_int8", inputs, packed_reference).has_value());

  // Dequantize-then-GEMM rounds the weights to fp16 first: it gets the fp16 bound, the fused
  // kernel (fp32 weights in registers) the fp32 one.
  auto rounded = packed_reference;
  const double between = std::ldexp(1.0, -14) * std::sqrt(double(kProblem.k)) * rms(rounded);
  rounded[9] += between + std::ldexp(std::abs(rounded[9]), -10);
  EXPECT_TRUE(search::check_baseline_output("optq_dequant_gemm", inputs, rounded)->ok);
  EXPECT_FALSE(search::check_baseline_output("optq_fused_gemv", inputs, rounded)->ok);
}

// run_baselines checks every provider of a problem with one BaselineChecker, whose references are
// computed once: they must be the right ones for each provider, including a GPTQ layer given after
// the checker was made (run_baselines packs it only when an OPTQ provider is asked for).
TEST(BaselineCheck, OneCheckerServesEveryProviderOfAProblem) {
  auto inputs = baselines::make_random_inputs(kProblem, 9);
  search::BaselineChecker checker(inputs);
  const auto fp16 = fp16_reference(inputs);
  EXPECT_TRUE(checker.check("cublas_fp16_acc32", fp16)->ok);
  EXPECT_FALSE(checker.check("optq_fused_gemv", fp16).has_value()) << "no packed layer yet";

  const auto w = gaussian_weights(kProblem.m, kProblem.k, 10, 0.05f);
  const PackedGptq gptq = pack_gptq(quantize_rtn(w, kProblem.m, kProblem.k, kProblem.bits, 64));
  inputs.gptq = &gptq;
  const auto packed = reference_gemm(gptq, inputs.x_fp16, kProblem.batch);
  EXPECT_TRUE(checker.check("optq_fused_gemv", packed)->ok);
  EXPECT_FALSE(checker.check("optq_dequant_gemm", fp16)->ok);
  EXPECT_FALSE(checker.check("cublaslt_fp16_tuned", packed)->ok) << "fp16 providers keep theirs";
  EXPECT_TRUE(checker.check("cublas_fp16_acc16", fp16)->ok);

  // Another packed layer: the checker sees the pointer change and computes its reference.
  const auto w2 = gaussian_weights(kProblem.m, kProblem.k, 11, 0.05f);
  const PackedGptq gptq2 = pack_gptq(quantize_rtn(w2, kProblem.m, kProblem.k, kProblem.bits, 64));
  inputs.gptq = &gptq2;
  EXPECT_FALSE(checker.check("optq_fused_gemv", packed)->ok);
  EXPECT_TRUE(
      checker.check("optq_fused_gemv", reference_gemm(gptq2, inputs.x_fp16, kProblem.batch))->ok);
}
