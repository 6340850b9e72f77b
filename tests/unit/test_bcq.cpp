// Non-uniform BCQ: the invariants every result satisfies, quality, determinism, bad input.
#include "common/error.hpp"
#include "common/half.hpp"
#include "problem/problem.hpp"
#include "quant/bcq.hpp"
#include "quant/generate.hpp"
#include "quant/uniform.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

using namespace lutgemm;

namespace {
double rel_error(const std::vector<float>& w, const std::vector<double>& q) {
  double num = 0.0, den = 0.0;
  for (std::size_t i = 0; i < w.size(); ++i) {
    num += (w[i] - q[i]) * (w[i] - q[i]);
    den += static_cast<double>(w[i]) * w[i];
  }
  return std::sqrt(num / den);
}

// Every alpha is a positive finite fp16 value and every weight has the nearest of the 2^q levels
// the stored values represent (checked by brute force over all codes).
void expect_nearest_levels(const std::vector<float>& w, const BcqWeights& bcq) {
  const auto d = dequantize(bcq);
  for (std::int64_t row = 0; row < bcq.m; ++row) {
    for (std::int64_t col = 0; col < bcq.k; ++col) {
      const std::int64_t grp = col / bcq.group;
      double levels_min_distance = std::numeric_limits<double>::infinity();
      const double z = bcq.has_offset ? half_to_double(bcq.offset[bcq.offset_index(grp, row)]) : 0;
      for (int code = 0; code < (1 << bcq.bits); ++code) {
        double level = z;
        for (int i = 0; i < bcq.bits; ++i) {
          const auto a = bcq.alpha[bcq.alpha_index(grp, i, row)];
          ASSERT_TRUE(half_is_finite(a));
          ASSERT_GT(half_to_double(a), 0.0);
          level += ((code >> i) & 1) ? half_to_double(a) : -half_to_double(a);
        }
        levels_min_distance = std::min(levels_min_distance, std::abs(w[row * bcq.k + col] - level));
      }
      const auto i = static_cast<std::size_t>(row * bcq.k + col);
      ASSERT_LE(std::abs(w[i] - d[i]), levels_min_distance + 1e-12) << row << " " << col;
    }
  }
}
} // namespace

TEST(Bcq, InvariantsForEveryBitWidthGroupAndOffset) {
  const std::int64_t m = 10, k = 128;
  const auto w = gaussian_weights(m, k, 3);
  for (int bits = 1; bits <= 8; ++bits) {
    for (std::int64_t group : {std::int64_t{32}, std::int64_t{kRowWise}}) {
      for (bool offset : {false, true}) {
        const auto bcq = quantize_bcq(
            w, m, k, {.bits = bits, .group = group, .has_offset = offset, .rounds = 5});
        ASSERT_EQ(bcq.alpha.size(), static_cast<std::size_t>(k / bcq.group * bits * m));
        ASSERT_EQ(bcq.offset.size(), offset ? static_cast<std::size_t>(k / bcq.group * m) : 0u);
        SCOPED_TRACE(testing::Message() << "bits " << bits << " g " << group << " off " << offset);
        expect_nearest_levels(w, bcq);
      }
    }
  }
}

TEST(Bcq, RefinementNeverHurtsAndBeatsGreedy) {
  const std::int64_t m = 64, k = 512;
  const auto w = gaussian_weights(m, k, 4);
  for (int bits : {2, 3, 4}) {
    const BcqOptions base{.bits = bits, .group = 128, .has_offset = true, .rounds = 0};
    auto refined_options = base;
    refined_options.rounds = 15;
    const double greedy = rel_error(w, dequantize(quantize_bcq(w, m, k, base)));
    const double refined = rel_error(w, dequantize(quantize_bcq(w, m, k, refined_options)));
    EXPECT_LT(refined, greedy * 0.97) << bits;
    // Non-uniform levels fit a Gaussian at least as well as the uniform grid.
    const double rtn = rel_error(w, dequantize(quantize_rtn(w, m, k, bits, 128)));
    EXPECT_LT(refined, rtn) << bits;
  }
}

TEST(Bcq, OneBitWithoutOffsetIsTheKnownOptimum) {
  // For q = 1 and no offset the optimum is b = sign(w), alpha = mean|w|.
  const std::int64_t m = 5, k = 96;
  const auto w = gaussian_weights(m, k, 8);
  const auto bcq = quantize_bcq(w, m, k, {.bits = 1, .group = 32, .has_offset = false});
  for (std::int64_t row = 0; row < m; ++row) {
    for (std::int64_t grp = 0; grp < 3; ++grp) {
      double mean_abs = 0.0;
      for (std::int64_t j = 0; j < 32; ++j)
        mean_abs += std::abs(w[row * k + grp * 32 + j]);
      mean_abs /= 32;
      EXPECT_EQ(bcq.alpha[bcq.alpha_index(grp, 0, row)], float_to_half(mean_abs));
      for (std::int64_t j = 0; j < 32; ++j) {
        const auto i = static_cast<std::size_t>(row * k + grp * 32 + j);
        EXPECT_EQ(bcq.signs[i] & 1, w[i] >= 0 ? 1 : 0);
      }
    }
  }
}

TEST(Bcq, RecoversWeightsThatAreExactlyBcq) {
  // Weights built from 2 planes with an offset and fp16 levels come back exactly when each level
  // lies within half a step of the uniform grid over the range (a0/5 < a1 < a0 here), the
  // case the uniform start resolves. (Alternating refinement is a local search: level sets far
  // from uniform whose codes are unevenly used can end in a local optimum.)
  const std::int64_t m = 6, k = 64;
  const auto noise = gaussian_weights(m, k, 99);
  std::vector<float> w(static_cast<std::size_t>(m * k));
  for (std::int64_t row = 0; row < m; ++row) {
    const double a0 = 0.75 + 0.125 * row, a1 = 0.5, z = -0.5 + 0.25 * row;
    for (std::int64_t j = 0; j < k; ++j) {
      const auto i = static_cast<std::size_t>(row * k + j);
      const int code = static_cast<int>(std::abs(noise[i]) * 1000) % 4;
      w[i] = static_cast<float>(z + ((code & 1) ? a0 : -a0) + ((code & 2) ? a1 : -a1));
    }
  }
  const auto d =
      dequantize(quantize_bcq(w, m, k, {.bits = 2, .group = kRowWise, .has_offset = true}));
  for (std::size_t i = 0; i < w.size(); ++i)
    ASSERT_NEAR(d[i], w[i], 1e-3) << i;
}

TEST(Bcq, ThreadCountDoesNotChangeTheResult) {
  const std::int64_t m = 96, k = 256;
  const auto w = gaussian_weights(m, k, 12);
  const auto one = quantize_bcq(w, m, k, {.bits = 3, .group = 64, .threads = 1});
  const auto many = quantize_bcq(w, m, k, {.bits = 3, .group = 64, .threads = 5});
  EXPECT_EQ(one.signs, many.signs);
  EXPECT_EQ(one.alpha, many.alpha);
  EXPECT_EQ(one.offset, many.offset);
}

TEST(Bcq, BadInputIsAUsageError) {
  const auto w = gaussian_weights(4, 64, 1);
  EXPECT_THROW(quantize_bcq(w, 4, 64, {.bits = 0}), UsageError);
  EXPECT_THROW(quantize_bcq(w, 4, 64, {.bits = 9}), UsageError);
  EXPECT_THROW(quantize_bcq(w, 4, 64, {.bits = 3, .group = 48}), UsageError);
  EXPECT_THROW(quantize_bcq(w, 4, 64, {.bits = 3, .group = 32, .rounds = -1}), UsageError);
  EXPECT_THROW(quantize_bcq(w, 0, 64, {.bits = 3, .group = 32}), UsageError);
  auto bad = w;
  bad[3] = std::numeric_limits<float>::infinity();
  EXPECT_THROW(quantize_bcq(bad, 4, 64, {.bits = 3, .group = 32}), UsageError);
}
