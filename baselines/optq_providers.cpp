#include "baselines/optq_providers.hpp"

#include "baselines/cublas_providers.hpp"
#include "baselines/provider_util.hpp"

#include <fmt/format.h>

namespace lutgemm::baselines {

std::optional<std::string> optq_common_reason(const Problem& problem) {
  if (auto reason = cublas_common_reason(problem))
    return reason;
  if (problem.bits != 3 && problem.bits != 4)
    return fmt::format("the OPTQ kernels pack 3- or 4-bit weights, not {}-bit", problem.bits);
  if (!problem.has_offset)
    return std::string("the OPTQ format is uniform with a zero point (has_offset must be true)");
  return std::nullopt;
}

namespace {

// Until the OPTQ kernel family (kernels/optq.cuh with its launch plans in tuner/kernels/) is part
// of the build, these providers answer every problem with the reason they cannot run it.
constexpr const char* kNotBuilt =
    "the OPTQ kernels (kernels/optq.cuh and their launch plans) are not in this build yet";

class OptqProvider final : public Provider {
public:
  explicit OptqProvider(bool fused) : fused_(fused) {}
  std::string name() const override { return fused_ ? "optq_fused_gemv" : "optq_dequant_gemm"; }
  std::string description() const override {
    return fused_ ? "OPTQ-style fused dequantize-GEMV (3 and 4 bits)"
                  : "OPTQ-style dequantize to fp16, then cuBLAS GemmEx (timed together)";
  }
  std::optional<std::string> unsupported_reason(const Problem& problem) const override {
    if (auto reason = optq_common_reason(problem))
      return reason;
    return std::string(kNotBuilt);
  }
  std::unique_ptr<PreparedBaseline> prepare(const BaselineInputs& inputs,
                                            const PrepareOptions&) const override {
    detail::require_supported(*this, inputs.problem);
    throw RuntimeError(kNotBuilt);
  }

private:
  bool fused_;
};

} // namespace

std::unique_ptr<Provider> make_optq_dequant_gemm() {
  return std::make_unique<OptqProvider>(false);
}
std::unique_ptr<Provider> make_optq_fused_gemv() {
  return std::make_unique<OptqProvider>(true);
}

} // namespace lutgemm::baselines
