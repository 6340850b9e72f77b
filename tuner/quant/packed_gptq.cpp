#include "quant/packed_gptq.hpp"

#include "common/error.hpp"
#include "common/half.hpp"
#include "problem/problem.hpp"

#include <fmt/format.h>

namespace lutgemm {
namespace {
// Position of value `col` of a row in the K-major word array: first word index and bit offset.
// For 3 bits a value may straddle two words (see the header).
struct BitPosition {
  std::int64_t word;
  int bit;
};

BitPosition position(int bits, std::int64_t col) {
  if (bits == 4)
    return {col / 8, static_cast<int>(col % 8) * 4};
  const std::int64_t stream_bit = (col % 32) * 3; // bit of the chunk's 96-bit stream
  return {(col / 32) * 3 + stream_bit / 32, static_cast<int>(stream_bit % 32)};
}
} // namespace

PackedGptq pack_gptq(const UniformQuant& q) {
  if (q.bits != 3 && q.bits != 4) {
    throw UsageError(fmt::format("the OPTQ/GPTQ layout takes 3 or 4 bits, not {}", q.bits));
  }
  if (q.k % kKGranule != 0)
    throw UsageError(fmt::format("K = {} must be a multiple of {}", q.k, kKGranule));
  PackedGptq p;
  p.m = q.m;
  p.k = q.k;
  p.bits = q.bits;
  p.group = q.group;
  p.qweight.assign(static_cast<std::size_t>(p.words_per_column() * p.m), 0u);
  for (std::int64_t row = 0; row < q.m; ++row) {
    for (std::int64_t col = 0; col < q.k; ++col) {
      const std::uint64_t n = q.codes[static_cast<std::size_t>(row * q.k + col)];
      const auto [word, bit] = position(q.bits, col);
      // Shift in 64 bits so that the part that spills past bit 31 lands in the next word.
      const std::uint64_t shifted = n << bit;
      p.qweight[static_cast<std::size_t>(word * p.m + row)] |= static_cast<std::uint32_t>(shifted);
      if ((shifted >> 32) != 0)
        p.qweight[static_cast<std::size_t>((word + 1) * p.m + row)] |=
            static_cast<std::uint32_t>(shifted >> 32);
    }
  }
  p.scales = q.scale;
  p.zeros.resize(q.zero_point.size());
  for (std::size_t i = 0; i < q.zero_point.size(); ++i)
    p.zeros[i] = float_to_half(half_to_double(q.scale[i]) * q.zero_point[i]);
  return p;
}

std::uint32_t gptq_code(const PackedGptq& p, std::int64_t row, std::int64_t col) {
  const auto [word, bit] = position(p.bits, col);
  std::uint64_t pair = p.qweight[static_cast<std::size_t>(word * p.m + row)];
  if (bit + p.bits > 32)
    pair |= static_cast<std::uint64_t>(p.qweight[static_cast<std::size_t>((word + 1) * p.m + row)])
            << 32;
  return static_cast<std::uint32_t>((pair >> bit) & ((1u << p.bits) - 1));
}

std::vector<std::uint8_t> unpack_gptq_codes(const PackedGptq& p) {
  std::vector<std::uint8_t> codes(static_cast<std::size_t>(p.m * p.k));
  for (std::int64_t row = 0; row < p.m; ++row)
    for (std::int64_t col = 0; col < p.k; ++col)
      codes[static_cast<std::size_t>(row * p.k + col)] =
          static_cast<std::uint8_t>(gptq_code(p, row, col));
  return codes;
}

} // namespace lutgemm
