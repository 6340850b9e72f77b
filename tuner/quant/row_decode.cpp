#include "quant/row_decode.hpp"

#include "common/error.hpp"
#include "common/half.hpp"

#include <fmt/format.h>

namespace lutgemm::detail {

void decode_row(const PackedBcq& p, std::int64_t row, double* out) {
  const std::int64_t groups = p.k / p.group;
  for (std::int64_t grp = 0; grp < groups; ++grp) {
    const double z =
        p.has_offset ? half_to_double(p.offset[static_cast<std::size_t>(grp * p.m_stride + row)])
                     : 0.0;
    for (std::int64_t col = grp * p.group; col < (grp + 1) * p.group; ++col)
      out[col] = z;
    for (int i = 0; i < p.bits; ++i) {
      const double a =
          half_to_double(p.alpha[static_cast<std::size_t>((grp * p.bits + i) * p.m_stride + row)]);
      for (std::int64_t col = grp * p.group; col < (grp + 1) * p.group; ++col) {
        const std::uint32_t word =
            p.bit_words[static_cast<std::size_t>(((col / 32) * p.bits + i) * p.m_stride + row)];
        out[col] += ((word >> (col % 32)) & 1u) ? a : -a;
      }
    }
  }
}

void decode_row(const PackedGptq& p, std::int64_t row, double* out) {
  for (std::int64_t col = 0; col < p.k; ++col) {
    const auto index = static_cast<std::size_t>((col / p.group) * p.m + row);
    out[col] =
        half_to_double(p.scales[index]) * gptq_code(p, row, col) - half_to_double(p.zeros[index]);
  }
}

void check_packed(const PackedGptq& p) {
  if (p.m <= 0 || p.k <= 0 || p.k % 32 != 0 || (p.bits != 3 && p.bits != 4) || p.group <= 0 ||
      p.k % p.group != 0) {
    throw UsageError(fmt::format("packed GPTQ header is inconsistent: m={} k={} bits={} group={}",
                                 p.m, p.k, p.bits, p.group));
  }
  const auto expect = [](std::size_t got, std::int64_t want, const char* name) {
    if (static_cast<std::int64_t>(got) != want) {
      throw UsageError(
          fmt::format("packed GPTQ array '{}' has {} values, expected {}", name, got, want));
    }
  };
  expect(p.qweight.size(), p.words_per_column() * p.m, "qweight");
  expect(p.scales.size(), p.k / p.group * p.m, "scales");
  expect(p.zeros.size(), p.k / p.group * p.m, "zeros");
}

} // namespace lutgemm::detail
