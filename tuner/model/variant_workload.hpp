#pragma once
// The performance model's view of one LUT-GEMM variant (tuner/kernels/lut_params.hpp): its knobs
// mapped onto the model's LutgemmDesign, with the split-K combine modes (atomic into an fp32
// workspace, or a reduce pass over per-split partials) counted as the extra traffic they cause.
#include "kernels/lut_params.hpp"
#include "model/perf_model.hpp"
#include "problem/problem.hpp"

namespace lutgemm::model {

// `regs_per_thread`: from the compiler when known, else an assumption of 64.
KernelWorkload lut_variant_workload(const Problem& problem, const LutParams& params,
                                    int regs_per_thread = 0);

} // namespace lutgemm::model
