// Packing into the kernels' layouts (PackedBcq, PackedGptq): the layout contract bit by bit,
// round trips, padding, and bad input.
#include "common/error.hpp"
#include "common/half.hpp"
#include "problem/problem.hpp"
#include "quant/bcq.hpp"
#include "quant/convert.hpp"
#include "quant/dequantize.hpp"
#include "quant/generate.hpp"
#include "quant/pack_bcq.hpp"
#include "quant/packed_gptq.hpp"
#include "quant/uniform.hpp"

#include <gtest/gtest.h>

#include <cmath>

using namespace lutgemm;

TEST(PackBcq, LayoutRoundTripAndPaddingForAwkwardShapes) {
  for (std::int64_t m : {1, 7, 8, 13}) {
    for (std::int64_t k : {32, 96}) {
      for (int bits : {1, 3, 8}) {
        for (bool offset : {false, true}) {
          SCOPED_TRACE(testing::Message() << m << "x" << k << " q" << bits << " off " << offset);
          const auto w = gaussian_weights(m, k, static_cast<std::uint64_t>(m * 1000 + k + bits));
          const auto bcq =
              quantize_bcq(w, m, k, {.bits = bits, .group = 32, .has_offset = offset, .rounds = 2});
          const auto p = pack_bcq(bcq);
          const std::int64_t stride = (m + 7) / 8 * 8;
          ASSERT_EQ(p.m_stride, stride);
          ASSERT_EQ(p.bit_words.size(), static_cast<std::size_t>(k / 32 * bits * stride));
          ASSERT_EQ(p.alpha.size(), static_cast<std::size_t>(k / 32 * bits * stride));
          ASSERT_EQ(p.offset.size(), offset ? static_cast<std::size_t>(k / 32 * stride) : 0u);
          // The contract of packed_bcq.hpp, element by element.
          for (std::int64_t row = 0; row < stride; ++row) {
            for (std::int64_t col = 0; col < k; ++col) {
              for (int i = 0; i < bits; ++i) {
                const std::uint32_t word = p.bit_words[((col / 32) * bits + i) * stride + row];
                const unsigned bit = (word >> (col % 32)) & 1u;
                const unsigned expected = row < m ? (bcq.signs[row * k + col] >> i) & 1u : 0u;
                ASSERT_EQ(bit, expected) << row << " " << col << " " << i;
              }
            }
            for (std::int64_t grp = 0; grp < k / 32; ++grp) {
              for (int i = 0; i < bits; ++i)
                ASSERT_EQ(p.alpha[(grp * bits + i) * stride + row],
                          row < m ? bcq.alpha[(grp * bits + i) * m + row] : 0);
              if (offset) {
                ASSERT_EQ(p.offset[grp * stride + row], row < m ? bcq.offset[grp * m + row] : 0);
              }
            }
          }
          const auto back = unpack_bcq(p);
          EXPECT_EQ(back.m, m);
          EXPECT_EQ(back.k, k);
          EXPECT_EQ(back.bits, bits);
          EXPECT_EQ(back.group, 32);
          EXPECT_EQ(back.has_offset, offset);
          EXPECT_EQ(back.signs, bcq.signs);
          EXPECT_EQ(back.alpha, bcq.alpha);
          EXPECT_EQ(back.offset, bcq.offset);
          EXPECT_EQ(dequantize(p), dequantize(bcq));
        }
      }
    }
  }
}

TEST(PackBcq, RejectsBadShapesAndInconsistentArrays) {
  const auto w = gaussian_weights(4, 48, 1);
  const auto bcq = quantize_bcq(w, 4, 48, {.bits = 2, .group = 16});
  EXPECT_THROW(pack_bcq(bcq), UsageError); // K not a multiple of 32
  const auto good = pack_bcq(quantize_bcq(gaussian_weights(4, 64, 1), 4, 64, {.group = 32}));
  EXPECT_NO_THROW(check_packed(good));
  auto bad = good;
  bad.alpha.pop_back();
  EXPECT_THROW(unpack_bcq(bad), UsageError);
  bad = good;
  bad.m_stride = 4;
  EXPECT_THROW(dequantize(bad), UsageError);
}

namespace {
// GPTQ's QuantLinear.pack for 3 bits, transcribed loop for loop from its Python (an independent
// statement of the bit order): intweight is one row's codes along K, the result its K-major words.
std::vector<std::uint32_t> gptq_python_pack3(const std::vector<std::uint32_t>& intweight) {
  std::vector<std::uint32_t> qweight(intweight.size() * 3 / 32, 0);
  std::size_t i = 0, row = 0;
  while (row < qweight.size()) {
    for (std::size_t j = i; j < i + 10; ++j)
      qweight[row] |= intweight[j] << (3 * (j - i));
    i += 10;
    qweight[row] |= intweight[i] << 30;
    ++row;
    qweight[row] |= (intweight[i] >> 2) & 1;
    ++i;
    for (std::size_t j = i; j < i + 10; ++j)
      qweight[row] |= intweight[j] << (3 * (j - i) + 1);
    i += 10;
    qweight[row] |= intweight[i] << 31;
    ++row;
    qweight[row] |= (intweight[i] >> 1) & 0x3;
    ++i;
    for (std::size_t j = i; j < i + 10; ++j)
      qweight[row] |= intweight[j] << (3 * (j - i) + 2);
    i += 10;
    ++row;
  }
  return qweight;
}
} // namespace

TEST(PackGptq, BitOrderMatchesGptqAndRoundTrips) {
  const std::int64_t m = 13, k = 256;
  const auto w = gaussian_weights(m, k, 31);
  for (int bits : {3, 4}) {
    for (std::int64_t group : {std::int64_t{64}, std::int64_t{kRowWise}}) {
      const auto q = quantize_rtn(w, m, k, bits, group);
      const auto p = pack_gptq(q);
      ASSERT_EQ(p.qweight.size(), static_cast<std::size_t>(k * bits / 32 * m));
      for (std::int64_t row = 0; row < m; ++row) {
        std::vector<std::uint32_t> codes(q.codes.begin() + row * k,
                                         q.codes.begin() + (row + 1) * k);
        std::vector<std::uint32_t> expected(static_cast<std::size_t>(k * bits / 32), 0);
        if (bits == 3) {
          expected = gptq_python_pack3(codes);
        } else {
          for (std::int64_t col = 0; col < k; ++col)
            expected[col / 8] |= codes[col] << (4 * (col % 8));
        }
        for (std::size_t word = 0; word < expected.size(); ++word)
          ASSERT_EQ(p.qweight[word * m + row], expected[word]) << bits << " " << row << " " << word;
      }
      EXPECT_EQ(unpack_gptq_codes(p), q.codes);
      EXPECT_EQ(p.scales, q.scale);
      // w = s*n - zs with zs = fp16(s*zp): within half an fp16 ulp of s*zp of the uniform value.
      const auto uniform = dequantize(q);
      const auto packed = dequantize(p);
      const auto packed_half = dequantize_to_half(p);
      for (std::int64_t row = 0; row < m; ++row) {
        for (std::int64_t col = 0; col < k; ++col) {
          const auto gi = static_cast<std::size_t>((col / q.group) * m + row);
          const double zs = half_to_double(q.scale[gi]) * q.zero_point[gi];
          ASSERT_EQ(p.zeros[gi], float_to_half(zs));
          const auto i = static_cast<std::size_t>(row * k + col);
          ASSERT_LE(std::abs(uniform[i] - packed[i]), std::max(zs * 0x1p-11, 0x1p-25));
          ASSERT_EQ(packed_half[i], float_to_half(packed[i]));
        }
      }
    }
  }
}

TEST(PackGptq, OnlyThreeOrFourBits) {
  const auto w = gaussian_weights(4, 64, 1);
  EXPECT_THROW(pack_gptq(quantize_rtn(w, 4, 64, 2, 32)), UsageError);
  EXPECT_THROW(pack_gptq(quantize_rtn(w, 4, 64, 8, 32)), UsageError);
  const auto w48 = gaussian_weights(4, 48, 1);
  EXPECT_THROW(pack_gptq(quantize_rtn(w48, 4, 48, 4, 16)), UsageError);
}

TEST(DequantizeToHalf, BcqRoundsEachExactWeightOnce) {
  const auto w = gaussian_weights(9, 64, 2);
  const auto p = pack_bcq(uniform_to_bcq(quantize_rtn(w, 9, 64, 4, 32)));
  const auto exact = dequantize(p);
  const auto half = dequantize_to_half(p);
  ASSERT_EQ(half.size(), exact.size());
  for (std::size_t i = 0; i < exact.size(); ++i) {
    ASSERT_LE(std::abs(half_to_double(half[i]) - exact[i]), std::abs(exact[i]) * 0x1p-11 + 0x1p-25);
    ASSERT_EQ(half[i], float_to_half(exact[i]));
  }
}
