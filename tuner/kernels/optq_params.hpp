#pragma once
// The OPTQ (GPTQ)-style baseline kernels (kernels/optq.cuh) seen from the host: dequantize to fp16
// (for a following cuBLAS GEMM, run by the baseline) and the fused dequantize-GEMV.
// Knobs: kind (dequant | gemv), threads (64..512), and for gemv k_tile, batch_cols, split, combine
// (as in LUT-GEMM). Buffers: "qweight", "scales", "zeros", "x", "y", "w_fp16", "workspace".
#include "jit/launch_plan.hpp"
#include "kernels/knobs.hpp"
#include "problem/problem.hpp"

#include <optional>
#include <string>
#include <vector>

namespace lutgemm {

enum class OptqKind { dequant, gemv };
std::string to_string(OptqKind kind);
OptqKind optq_kind_from_string(const std::string& text); // throws UsageError

struct OptqParams {
  OptqKind kind = OptqKind::gemv;
  int threads = 256;
  int k_tile = 128;   // gemv only
  int batch_cols = 1; // gemv only
  int split = 1;      // gemv only
  Combine combine = Combine::none;
  friend bool operator==(const OptqParams&, const OptqParams&) = default;
};

const std::vector<Knob>& optq_knobs();
KnobValues to_values(const OptqParams& params);
OptqParams optq_params_from_values(const KnobValues& values); // throws UsageError

// "optq_gemv_q3_g128_t256_kt128_b1_split8_reduce", "optq_dequant_q4_grow_t256".
std::string optq_label(const Problem& problem, const OptqParams& params);

// gemv: BC * KT * 4 + BC * (KT / 32) * 4 bytes; dequant: 0.
std::int64_t optq_smem_bytes(const OptqParams& params);

std::optional<std::string> check(const Problem& problem, const OptqParams& params);
KernelSpec optq_kernel_spec(const Problem& problem, const OptqParams& params);

// dequant: one launch writing "w_fp16" (fp16 [k][m] = column-major M x K, ld m), which the caller
// allocates (2 * m * k bytes) and hands to cuBLAS; gemv: the launches that write "y".
LaunchPlan make_launch_plan(const Problem& problem, const OptqParams& params);

OptqParams default_optq_params(OptqKind kind, int bits, int batch);

} // namespace lutgemm
