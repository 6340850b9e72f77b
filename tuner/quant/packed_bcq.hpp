#pragma once
// The packed BCQ weight layout that every LUT-GEMM kernel reads. This is a contract between the
// quantizer (tuner/quant), the kernels (kernels/lutgemm*.cuh) and the float64 reference.
//
// Problem: y[b][m] = sum_k W[m][k] * x[b][k],  W[m][k] ~= sum_{i<q} alpha_i(m,grp) * s_i(m,k) +
// z(m,grp) with s_i in {-1,+1}, grp = k / g.
//
// bit_words  uint32  [k/32][q][m_stride]   word (kw, i, m) holds the signs of plane i for weights
//                                          k = 32*kw + j, j = 0..31, in bit j (LSB first):
//                                          bit set -> +1, clear -> -1. The output dimension varies
//                                          fastest, so neighbouring threads (rows) read
//                                          neighbouring words and a 128-bit load covers 4
//                                          consecutive rows. Byte t of a word (bits 8t..8t+7)
//                                          covers k = 32kw+8t..+7; its bit u is the sign of x[32kw
//                                          + 8t + u]. A mu = 8 table for that sub-vector is indexed
//                                          by the byte directly; LUT[key] = sum_u (bit_u(key) ?
//                                          +x_u : -x_u), so LUT[0xff] is the plain sum of the
//                                          sub-vector (used for offsets).
// alpha      fp16    [k/g][q][m_stride]    scale of plane i for (row m, group grp), > 0 for BCQ.
// offset     fp16    [k/g][m_stride]       z per (row, group); empty when has_offset is false.
//
// m_stride = round_up(m, kRowPadding): padded rows have all-zero bit words, scales and offsets,
// so vector loads of up to 128 bits never need a tail case; kernels still never write y[m >= M].
// Activations x: fp16 [batch][k] (column b contiguous). Output y: fp16 [batch][m] (stride m).
// fp16 values are stored as their IEEE binary16 bit patterns (std::uint16_t on the host).
#include <cstdint>
#include <vector>

namespace lutgemm {

inline constexpr std::int64_t kRowPadding = 8;

struct PackedBcq {
  std::int64_t m = 0;
  std::int64_t k = 0;
  std::int64_t m_stride = 0; // round_up(m, kRowPadding)
  int bits = 0;              // q
  std::int64_t group = 0;    // g in weights (k when row-wise)
  bool has_offset = false;
  std::vector<std::uint32_t> bit_words; // [k/32][bits][m_stride]
  std::vector<std::uint16_t> alpha;     // fp16 [k/g][bits][m_stride]
  std::vector<std::uint16_t> offset;    // fp16 [k/g][m_stride] or empty
};

} // namespace lutgemm
