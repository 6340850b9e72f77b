#pragma once
// Uniform asymmetric round-to-nearest (RTN) quantization, group-wise along K.
//
//   w[m][k] ~= s(grp, m) * (n[m][k] - zp(grp, m)),   grp = k / g,  n in [0, 2^q - 1]
//
// The zero point zp is an integer code in [0, 2^q - 1] (as in GPTQ/OPTQ), so that the value 0 is
// representable exactly when the group's range contains it. The scale is rounded to fp16 BEFORE
// the codes are chosen, so n is the nearest code for the scale a kernel will actually use.
#include <cstdint>
#include <span>
#include <vector>

namespace lutgemm {

struct UniformQuant {
  std::int64_t m = 0;
  std::int64_t k = 0;
  int bits = 0;                         // q, 1..8
  std::int64_t group = 0;               // g in weights (k when row-wise); divides k
  std::vector<std::uint8_t> codes;      // n, [m][k]
  std::vector<std::uint16_t> scale;     // fp16 s, [k/g][m], > 0
  std::vector<std::uint8_t> zero_point; // integer zp, [k/g][m], in [0, 2^q - 1]

  std::int64_t groups_per_row() const { return k / group; }
};

// Quantizes float weights [m][k] (row-major). group: g in weights, or kRowWise (0) for g = k.
// Throws UsageError for m, k <= 0, bits outside 1..8, g not dividing k, non-finite weights, or
// weights whose scale does not fit fp16.
UniformQuant quantize_rtn(std::span<const float> weights, std::int64_t m, std::int64_t k, int bits,
                          std::int64_t group);

// s * (n - zp) in double for every weight, [m][k]. Exact: s is fp16, n - zp a small integer.
std::vector<double> dequantize(const UniformQuant& quant);

} // namespace lutgemm
