#include "model/stored_workload.hpp"

#include "common/error.hpp"
#include "kernels/lut_params.hpp"
#include "model/variant_workload.hpp"
#include "model/workloads.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace lutgemm::model {
namespace {

// Baseline providers (baselines/*.cpp, their name()) and the model baseline each one is.
std::optional<Baseline> baseline_of(const std::string& family) {
  if (family.starts_with("cublas_fp16") || family == "cublaslt_fp16_tuned")
    return Baseline::cublas_fp16;
  if (family == "cublas_fp32")
    return Baseline::cublas_fp32;
  if (family == "cublas_int8")
    return Baseline::cublas_int8;
  if (family == "optq_fused_gemv")
    return Baseline::optq_fused;
  if (family == "optq_dequant_gemm")
    return Baseline::optq_dequant_cublas;
  return std::nullopt;
}

LutParams lut_params_of(const std::string& label, const std::string& params_json) {
  const auto j = nlohmann::json::parse(params_json, nullptr, /*allow_exceptions=*/false);
  if (j.is_object() && !j.empty()) {
    KnobValues values;
    for (const auto& [name, value] : j.items())
      values[name] = value.is_string() ? value.get<std::string>() : value.dump();
    return lut_params_from_values(values);
  }
  return lut_params_from_label(label);
}

} // namespace

std::optional<KernelWorkload> stored_variant_workload(const std::string& family,
                                                      const std::string& label,
                                                      const std::string& params_json,
                                                      const Problem& problem, int registers,
                                                      const GpuSpec* target) {
  if (family == "lutgemm")
    return lut_variant_workload(problem, lut_params_of(label, params_json), registers);
  if (const auto baseline = baseline_of(family))
    return baseline_workload(*baseline, problem, target);
  return std::nullopt;
}

} // namespace lutgemm::model
