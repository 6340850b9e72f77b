#pragma once
// The OPTQ/GPTQ-style packed layout read by the baseline kernels (kernels/optq*.cuh): a contract
// between the quantizer (tuner/quant) and those kernels, like packed_bcq.hpp for LUT-GEMM.
//
//   w[m][k] = scales[grp][m] * n[m][k] - zeros[grp][m],   grp = k / g,   n in [0, 2^q - 1]
//
// qweight  uint32  [k*bits/32][m]  K-major words, the output dimension m varies fastest (stride m,
//                                  no padding), so neighbouring threads (rows) read neighbouring
//                                  words, as in GPTQ's QuantLinear.
//   bits = 4: word kw holds k = 8kw + j, j = 0..7, value j in bits 4j..4j+3 (LSB first).
//   bits = 3: 32 consecutive values of one row, k = 32c + j, j = 0..31, live in the 3 words
//             3c, 3c+1, 3c+2 (96 bits). Value j occupies bits 3j..3j+2 of that 96-bit little-endian
//             stream (word 3c holds stream bits 0..31), which is GPTQ's bit order:
//               word 3c  : v0..v9 at bits 3j, low 2 bits of v10 at bits 30..31
//               word 3c+1: bit 2 of v10 at bit 0, v11..v20 at bits 3(j-11)+1, bit 0 of v21 at 31
//               word 3c+2: bits 1..2 of v21 at bits 0..1, v22..v31 at bits 3(j-22)+2
// scales   fp16    [k/g][m]        s > 0.
// zeros    fp16    [k/g][m]        zs = fp16(s * zp), the zero point pre-multiplied by the scale
//                                  (GPTQ's faster kernels do the same), so w = s*n - zs is one
//                                  fused multiply-add per weight. Note zs is rounded to fp16, so
//                                  w differs from the uniform s*(n - zp) by at most half an fp16
//                                  ulp of s*zp.
// k must be a multiple of 32, g a multiple of 32 dividing k (or g = k). Activations and outputs
// are as in packed_bcq.hpp: x fp16 [batch][k], y fp16 [batch][m]. fp16 values are IEEE binary16
// bit patterns (std::uint16_t on the host).
#include "quant/uniform.hpp"

#include <cstdint>
#include <vector>

namespace lutgemm {

struct PackedGptq {
  std::int64_t m = 0;
  std::int64_t k = 0;
  int bits = 0;                       // 3 or 4
  std::int64_t group = 0;             // g in weights (k when row-wise)
  std::vector<std::uint32_t> qweight; // [k*bits/32][m]
  std::vector<std::uint16_t> scales;  // fp16 [k/g][m]
  std::vector<std::uint16_t> zeros;   // fp16 [k/g][m], = fp16(scale * zp)

  std::int64_t words_per_column() const { return k * bits / 32; }
};

// Packs RTN codes. Throws UsageError unless bits is 3 or 4 and k is a multiple of 32.
PackedGptq pack_gptq(const UniformQuant& quant);

// The code n of weight (row, col), read back from the packed words.
std::uint32_t gptq_code(const PackedGptq& packed, std::int64_t row, std::int64_t col);

// Every code n, [m][k]: the inverse of pack_gptq's bit packing.
std::vector<std::uint8_t> unpack_gptq_codes(const PackedGptq& packed);

} // namespace lutgemm
