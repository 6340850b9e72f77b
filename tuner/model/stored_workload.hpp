#pragma once
// The model's workload of a variant as the results database stores it (variants.family, label,
// params): a LUT-GEMM variant of this project, or a baseline provider (cuBLAS, cuBLASLt, the OPTQ
// kernels) mapped onto the model's baseline of the same kind. What `lutgemm calibrate` predicts
// for each measurement it fits.
#include "model/perf_model.hpp"
#include "problem/problem.hpp"

#include <optional>
#include <string>

namespace lutgemm::model {

// nullopt when the model has no workload for the family (the project's OPTQ family: no model).
// `registers`: from the compile, 0 when unknown. `target`: the device measured, whose architecture
// decides which kernel cuBLAS runs (baseline_workload); nullptr: the sm_80 choice. Throws
// UsageError on unreadable LUT-GEMM params.
std::optional<KernelWorkload> stored_variant_workload(const std::string& family,
                                                      const std::string& label,
                                                      const std::string& params_json,
                                                      const Problem& problem, int registers = 0,
                                                      const GpuSpec* target = nullptr);

} // namespace lutgemm::model
