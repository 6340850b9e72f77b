#pragma once
// OPTQ-style baselines over the GPTQ-packed layer (tuner/quant/packed_gptq.hpp), with the kernels
// of kernels/optq.cuh:
//   "optq_dequant_gemm": dequantize the packed weights to fp16 W, then cuBLAS GemmEx (fp32
//                        accumulation); both timed as one operation, because the dequantization
//                        is the cost the paper argues about.
//   "optq_fused_gemv":   the fused dequantize-GEMV kernel at 3 and 4 bits.
#include "baselines/provider.hpp"

#include <memory>

namespace lutgemm::baselines {

std::unique_ptr<Provider> make_optq_dequant_gemm();
std::unique_ptr<Provider> make_optq_fused_gemv();

// Shared static checks: bits 3 or 4, a group that is row-wise or a multiple of 32 dividing K.
std::optional<std::string> optq_common_reason(const Problem& problem);

} // namespace lutgemm::baselines
