#pragma once
// Dequantization of the packed layouts, straight from the packed arrays (not via the quantizer's
// structs), so that tests of the packers and the kernels read exactly what a kernel reads.
#include "quant/packed_bcq.hpp"
#include "quant/packed_gptq.hpp"

#include <cstdint>
#include <vector>

namespace lutgemm {

// Exact weights in double, [m][k] (padding rows dropped):
//   BCQ : sum_i alpha_i * b_i + z      (a sum of at most 9 fp16 values: exact in double)
//   GPTQ: s * n - zs                   (exact in double)
std::vector<double> dequantize(const PackedBcq& packed);
std::vector<double> dequantize(const PackedGptq& packed);

// The same weights rounded once to fp16, [m][k]: what a dequantize kernel that computes each
// weight with one fused multiply-add (GPTQ) writes, and what "dequantize, then cuBLAS" multiplies.
std::vector<std::uint16_t> dequantize_to_half(const PackedBcq& packed);
std::vector<std::uint16_t> dequantize_to_half(const PackedGptq& packed);

} // namespace lutgemm
