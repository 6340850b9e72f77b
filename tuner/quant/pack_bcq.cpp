#include "quant/pack_bcq.hpp"

#include "common/error.hpp"
#include "problem/problem.hpp"

#include <fmt/format.h>

namespace lutgemm {

std::int64_t padded_rows(std::int64_t m) {
  return (m + kRowPadding - 1) / kRowPadding * kRowPadding;
}

void check_packed(const PackedBcq& p) {
  const auto expect = [](std::size_t got, std::int64_t want, const char* name) {
    if (static_cast<std::int64_t>(got) != want) {
      throw UsageError(
          fmt::format("packed BCQ array '{}' has {} values, expected {}", name, got, want));
    }
  };
  if (p.m <= 0 || p.k <= 0 || p.k % kKGranule != 0 || p.bits < kMinBits || p.bits > kMaxBits ||
      p.group <= 0 || p.k % p.group != 0 || p.m_stride != padded_rows(p.m)) {
    throw UsageError(fmt::format("packed BCQ header is inconsistent: m={} k={} m_stride={} bits={} "
                                 "group={}",
                                 p.m, p.k, p.m_stride, p.bits, p.group));
  }
  expect(p.bit_words.size(), p.k / 32 * p.bits * p.m_stride, "bit_words");
  expect(p.alpha.size(), p.k / p.group * p.bits * p.m_stride, "alpha");
  expect(p.offset.size(), p.has_offset ? p.k / p.group * p.m_stride : 0, "offset");
}

PackedBcq pack_bcq(const BcqWeights& bcq) {
  if (bcq.k % kKGranule != 0) {
    throw UsageError(fmt::format("K = {} must be a multiple of {} to pack", bcq.k, kKGranule));
  }
  PackedBcq p;
  p.m = bcq.m;
  p.k = bcq.k;
  p.m_stride = padded_rows(bcq.m);
  p.bits = bcq.bits;
  p.group = bcq.group;
  p.has_offset = bcq.has_offset;
  const std::int64_t words = bcq.k / 32;
  const std::int64_t groups = bcq.groups_per_row();
  p.bit_words.assign(static_cast<std::size_t>(words * bcq.bits * p.m_stride), 0u);
  for (std::int64_t row = 0; row < bcq.m; ++row) {
    const std::uint8_t* codes = bcq.signs.data() + row * bcq.k;
    for (std::int64_t kw = 0; kw < words; ++kw) {
      for (int i = 0; i < bcq.bits; ++i) {
        std::uint32_t word = 0;
        for (int j = 0; j < 32; ++j)
          word |= static_cast<std::uint32_t>((codes[kw * 32 + j] >> i) & 1u) << j;
        p.bit_words[static_cast<std::size_t>((kw * bcq.bits + i) * p.m_stride + row)] = word;
      }
    }
  }
  p.alpha.assign(static_cast<std::size_t>(groups * bcq.bits * p.m_stride), 0);
  for (std::int64_t grp = 0; grp < groups; ++grp)
    for (int i = 0; i < bcq.bits; ++i)
      for (std::int64_t row = 0; row < bcq.m; ++row)
        p.alpha[static_cast<std::size_t>((grp * bcq.bits + i) * p.m_stride + row)] =
            bcq.alpha[bcq.alpha_index(grp, i, row)];
  if (bcq.has_offset) {
    p.offset.assign(static_cast<std::size_t>(groups * p.m_stride), 0);
    for (std::int64_t grp = 0; grp < groups; ++grp)
      for (std::int64_t row = 0; row < bcq.m; ++row)
        p.offset[static_cast<std::size_t>(grp * p.m_stride + row)] =
            bcq.offset[bcq.offset_index(grp, row)];
  }
  return p;
}

BcqWeights unpack_bcq(const PackedBcq& p) {
  check_packed(p);
  BcqWeights bcq;
  bcq.m = p.m;
  bcq.k = p.k;
  bcq.bits = p.bits;
  bcq.group = p.group;
  bcq.has_offset = p.has_offset;
  const std::int64_t words = p.k / 32;
  const std::int64_t groups = p.k / p.group;
  bcq.signs.assign(static_cast<std::size_t>(p.m * p.k), 0);
  for (std::int64_t kw = 0; kw < words; ++kw) {
    for (int i = 0; i < p.bits; ++i) {
      for (std::int64_t row = 0; row < p.m; ++row) {
        const std::uint32_t word =
            p.bit_words[static_cast<std::size_t>((kw * p.bits + i) * p.m_stride + row)];
        std::uint8_t* codes = bcq.signs.data() + row * p.k + kw * 32;
        for (int j = 0; j < 32; ++j)
          codes[j] |= static_cast<std::uint8_t>(((word >> j) & 1u) << i);
      }
    }
  }
  bcq.alpha.resize(static_cast<std::size_t>(groups * p.bits * p.m));
  for (std::int64_t grp = 0; grp < groups; ++grp)
    for (int i = 0; i < p.bits; ++i)
      for (std::int64_t row = 0; row < p.m; ++row)
        bcq.alpha[bcq.alpha_index(grp, i, row)] =
            p.alpha[static_cast<std::size_t>((grp * p.bits + i) * p.m_stride + row)];
  if (p.has_offset) {
    bcq.offset.resize(static_cast<std::size_t>(groups * p.m));
    for (std::int64_t grp = 0; grp < groups; ++grp)
      for (std::int64_t row = 0; row < p.m; ++row)
        bcq.offset[bcq.offset_index(grp, row)] =
            p.offset[static_cast<std::size_t>(grp * p.m_stride + row)];
  }
  return bcq;
}

} // namespace lutgemm
