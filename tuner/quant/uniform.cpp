#include "quant/uniform.hpp"

#include "common/error.hpp"
#include "common/half.hpp"
#include "quant/parallel_rows.hpp"
#include "quant/shape_check.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace lutgemm {

UniformQuant quantize_rtn(std::span<const float> weights, std::int64_t m, std::int64_t k, int bits,
                          std::int64_t group) {
  const std::int64_t g = detail::check_quant_args(weights.size(), m, k, bits, group);
  UniformQuant q;
  q.m = m;
  q.k = k;
  q.bits = bits;
  q.group = g;
  const std::int64_t groups = k / g;
  q.codes.resize(static_cast<std::size_t>(m * k));
  q.scale.resize(static_cast<std::size_t>(groups * m));
  q.zero_point.resize(static_cast<std::size_t>(groups * m));
  const int max_code = (1 << bits) - 1;

  parallel_rows(
      m,
      [&](std::int64_t row_begin, std::int64_t row_end) {
        for (std::int64_t row = row_begin; row < row_end; ++row) {
          for (std::int64_t grp = 0; grp < groups; ++grp) {
            const float* w = weights.data() + row * k + grp * g;
            float lo = w[0], hi = w[0];
            for (std::int64_t j = 0; j < g; ++j) {
              if (!std::isfinite(w[j])) {
                throw UsageError(
                    fmt::format("weight [{}][{}] = {} is not finite", row, grp * g + j, w[j]));
              }
              lo = std::min(lo, w[j]);
              hi = std::max(hi, w[j]);
            }
            double scale = (static_cast<double>(hi) - lo) / max_code;
            if (scale == 0.0) {
              // A constant group c: n = max_code with zp = 0 (c > 0), or n = 0 with zp = max_code
              // (c < 0), so that s = |c| / max_code reproduces c up to fp16 rounding.
              scale = std::abs(static_cast<double>(lo)) / max_code;
              lo = std::min(lo, 0.0f);
            }
            std::uint16_t scale_half = float_to_half(scale);
            if (!half_is_finite(scale_half)) {
              throw UsageError(fmt::format(
                  "weights of row {} span {}..{}: the {}-bit scale {} does not fit fp16 (max {})",
                  row, lo, hi, bits, scale, kHalfMax));
            }
            if (scale_half == 0)
              scale_half = 0x0001; // all-zero group (or below 2^-25): any positive scale works
            const double s = half_to_double(scale_half);
            const double zp = std::clamp(std::round(-lo / s), 0.0, static_cast<double>(max_code));
            const auto index = static_cast<std::size_t>(grp * m + row);
            q.scale[index] = scale_half;
            q.zero_point[index] = static_cast<std::uint8_t>(zp);
            std::uint8_t* codes = q.codes.data() + row * k + grp * g;
            for (std::int64_t j = 0; j < g; ++j) {
              const double n = std::round(w[j] / s + zp);
              codes[j] =
                  static_cast<std::uint8_t>(std::clamp(n, 0.0, static_cast<double>(max_code)));
            }
          }
        }
      },
      0, k);
  return q;
}

std::vector<double> dequantize(const UniformQuant& q) {
  std::vector<double> w(static_cast<std::size_t>(q.m * q.k));
  for (std::int64_t row = 0; row < q.m; ++row) {
    for (std::int64_t col = 0; col < q.k; ++col) {
      const auto index = static_cast<std::size_t>((col / q.group) * q.m + row);
      const double s = half_to_double(q.scale[index]);
      w[static_cast<std::size_t>(row * q.k + col)] =
          s * (static_cast<int>(q.codes[static_cast<std::size_t>(row * q.k + col)]) -
               static_cast<int>(q.zero_point[index]));
    }
  }
  return w;
}

} // namespace lutgemm
