#include "search/baseline_check.hpp"

#include "common/half.hpp"
#include "quant/reference.hpp"

namespace lutgemm::search {

std::optional<Comparison> check_baseline_output(const std::string& provider,
                                                const baselines::BaselineInputs& inputs,
                                                const std::vector<double>& output) {
  const Problem& p = inputs.problem;
  if (provider == "cublas_int8")
    return std::nullopt;
  if (provider.starts_with("optq")) {
    if (inputs.gptq == nullptr)
      return std::nullopt;
    return compare_values(output, reference_gemm(*inputs.gptq, inputs.x_fp16, p.batch), p.k, false);
  }
  std::vector<double> w(inputs.w_fp16.size());
  for (std::size_t i = 0; i < w.size(); ++i)
    w[i] = half_to_double(inputs.w_fp16[i]);
  const auto reference = reference_gemm(w, p.m, p.k, inputs.x_fp16, p.batch);
  return compare_values(output, reference, p.k, provider == "cublas_fp16_acc16");
}

} // namespace lutgemm::search
