#pragma once
// The float64 reference GEMM: y[b][m] = sum_k W[m][k] * x[b][k] for batch 1..32, with W the exact
// dequantized weights of the packed arrays (the fp16 scales and offsets a kernel reads) and x the
// fp16 activations [batch][k] (column b contiguous, see packed_bcq.hpp). Products and sums are in
// double, so the only error against the exact result is double rounding (relative ~1e-16 * K).
// Kernel outputs (fp16, fp16/fp32 accumulation) are compared against this.
#include "quant/packed_bcq.hpp"
#include "quant/packed_gptq.hpp"

#include <cstdint>
#include <span>
#include <vector>

namespace lutgemm {

// Returns double [batch][m]. Throws UsageError when x does not hold batch * k values or batch is
// outside 1..32. Rows are computed on `threads` threads (0: all cores).
std::vector<double> reference_gemm(const PackedBcq& weights, std::span<const std::uint16_t> x,
                                   int batch, int threads = 0);
std::vector<double> reference_gemm(const PackedGptq& weights, std::span<const std::uint16_t> x,
                                   int batch, int threads = 0);

// The same product for any dense weights [m][k] in double (used to check the two above and for
// unquantized baselines).
std::vector<double> reference_gemm(std::span<const double> weights, std::int64_t m, std::int64_t k,
                                   std::span<const std::uint16_t> x, int batch, int threads = 0);

} // namespace lutgemm
