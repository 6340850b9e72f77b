#include "quant/convert.hpp"

#include "common/half.hpp"

#include <cmath>

namespace lutgemm {

BcqWeights uniform_to_bcq(const UniformQuant& q) {
  BcqWeights bcq;
  bcq.m = q.m;
  bcq.k = q.k;
  bcq.bits = q.bits;
  bcq.group = q.group;
  bcq.has_offset = true;
  // b_i = 2*bit_i(n) - 1: the code's bits are the sign planes, bit i <-> alpha_i = s * 2^i / 2.
  bcq.signs = q.codes;
  const std::int64_t groups = q.groups_per_row();
  bcq.alpha.resize(static_cast<std::size_t>(groups * q.bits * q.m));
  bcq.offset.resize(static_cast<std::size_t>(groups * q.m));
  const double half_range = ((1 << q.bits) - 1) / 2.0; // sum_i 2^i / 2
  for (std::int64_t grp = 0; grp < groups; ++grp) {
    for (std::int64_t row = 0; row < q.m; ++row) {
      const auto index = static_cast<std::size_t>(grp * q.m + row);
      const double s = half_to_double(q.scale[index]);
      for (int i = 0; i < q.bits; ++i)
        bcq.alpha[bcq.alpha_index(grp, i, row)] = float_to_half(std::ldexp(s, i - 1));
      bcq.offset[bcq.offset_index(grp, row)] =
          float_to_half(s * (half_range - q.zero_point[index]));
    }
  }
  return bcq;
}

} // namespace lutgemm
