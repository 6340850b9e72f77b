#pragma once
// A baseline's output checked the way a LUT-GEMM variant's is (search/verification.hpp): against
// the float64 product of the weights the provider was given, so that a timed baseline that
// computes something else (a transposed operand, a wrong leading dimension, a kernel bug in the
// OPTQ providers) is stored as wrong_result rather than as a speed-up to beat.
#include "baselines/provider.hpp"
#include "search/verification.hpp"

#include <optional>
#include <string>
#include <vector>

namespace lutgemm::search {

// nullopt when the provider's output has no reference here: cublas_int8 quantizes the weights to
// int8 itself, so its error against the fp16 weights is quantization error, not a bug. The OPTQ
// providers are checked against the GPTQ-packed layer (inputs.gptq), the others against the fp16
// weights; cublas_fp16_acc16 and optq_dequant_gemm (fp16 weights) with the fp16 bound.
std::optional<Comparison> check_baseline_output(const std::string& provider,
                                                const baselines::BaselineInputs& inputs,
                                                const std::vector<double>& output);

// The same check for every provider of one problem, with each float64 reference computed once and
// kept for the next provider (Table 1's layer is 600M multiply-adds per reference; four cuBLAS
// providers share one). Reads `inputs` at each check, so inputs.gptq may be set after construction.
class BaselineChecker {
public:
  explicit BaselineChecker(const baselines::BaselineInputs& inputs) : inputs_(inputs) {}
  std::optional<Comparison> check(const std::string& provider, const std::vector<double>& output);

private:
  const baselines::BaselineInputs& inputs_;
  std::vector<double> fp16_reference_;             // empty until first needed
  std::vector<double> gptq_reference_;             // of gptq_reference_for_
  const PackedGptq* gptq_reference_for_ = nullptr; // the layer gptq_reference_ was computed from
};

} // namespace lutgemm::search
