#pragma once
// The cuBLAS family of providers (see provider.hpp). All of them run on the unquantized layer:
// they are what weight quantization is measured against.
#include "baselines/provider.hpp"

#include <memory>

namespace lutgemm::baselines {

// cublasGemmEx, fp16 in and out, default algorithm. accumulate_fp16: CUBLAS_COMPUTE_16F, the
// paper's setting ("cublas_fp16_acc16"); else CUBLAS_COMPUTE_32F ("cublas_fp16_acc32").
std::unique_ptr<Provider> make_cublas_fp16(bool accumulate_fp16);

// cuBLASLt fp16 GEMM, fp32 accumulation: the heuristic's top candidates are each timed while
// preparing and the fastest is kept ("cublaslt_fp16_tuned", the tuned-cuBLAS column).
std::unique_ptr<Provider> make_cublaslt_tuned();

// cublasSgemm on the fp32 layer ("cublas_fp32": Table 1's FP32 row).
std::unique_ptr<Provider> make_cublas_fp32();

// cublasGemmEx int8 x int8 -> int32 with per-row weight and per-column activation scales applied
// on read-back ("cublas_int8": Table 1's INT8 row; weights and activations both quantized).
std::unique_ptr<Provider> make_cublas_int8();

// Shared checks: the problem is valid and its dimensions fit cuBLAS's int parameters.
std::optional<std::string> cublas_common_reason(const Problem& problem);

} // namespace lutgemm::baselines
