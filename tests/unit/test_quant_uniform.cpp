// Uniform RTN quantization, the exact uniform -> BCQ conversion, and the seeded generators.
#include "common/error.hpp"
#include "common/half.hpp"
#include "problem/problem.hpp"
#include "quant/convert.hpp"
#include "quant/generate.hpp"
#include "quant/uniform.hpp"

#include <gtest/gtest.h>

#include <algorithm>
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
} // namespace

TEST(Rtn, EveryCodeIsTheNearestForTheStoredScale) {
  const std::int64_t m = 24, k = 256;
  const auto w = gaussian_weights(m, k, 7);
  for (int bits = 1; bits <= 8; ++bits) {
    for (std::int64_t group : {std::int64_t{32}, std::int64_t{128}, std::int64_t{kRowWise}}) {
      const auto q = quantize_rtn(w, m, k, bits, group);
      const std::int64_t g = group == kRowWise ? k : group;
      ASSERT_EQ(q.group, g);
      const int max_code = (1 << bits) - 1;
      for (std::int64_t row = 0; row < m; ++row) {
        for (std::int64_t col = 0; col < k; ++col) {
          const auto gi = static_cast<std::size_t>((col / g) * m + row);
          const double s = half_to_double(q.scale[gi]);
          const int zp = q.zero_point[gi];
          ASSERT_GT(s, 0.0);
          ASSERT_LE(zp, max_code);
          const int n = q.codes[static_cast<std::size_t>(row * k + col)];
          ASSERT_LE(n, max_code);
          // Brute force over all codes: none is strictly nearer (beyond rounding noise).
          const double x = w[static_cast<std::size_t>(row * k + col)];
          const double chosen = std::abs(x - s * (n - zp));
          for (int other = 0; other <= max_code; ++other)
            ASSERT_LE(chosen, std::abs(x - s * (other - zp)) + 1e-12)
                << "bits " << bits << " row " << row << " col " << col;
        }
      }
      // The codes span the group's range: the extreme weights land within one step of the ends.
      for (std::int64_t row = 0; row < m; ++row) {
        const auto begin = w.begin() + row * k;
        const auto [lo, hi] = std::minmax_element(begin, begin + g);
        const double s = half_to_double(q.scale[static_cast<std::size_t>(row)]);
        EXPECT_NEAR((*hi - *lo) / max_code, s, 1e-3 * s + 1e-7);
      }
    }
  }
}

TEST(Rtn, ErrorIsPlausibleAndFallsWithBits) {
  const std::int64_t m = 256, k = 1024;
  const auto w = gaussian_weights(m, k, 11);
  const double e3 = rel_error(w, dequantize(quantize_rtn(w, m, k, 3, 128)));
  EXPECT_GT(e3, 0.17); // uniform step ~5.3 sigma / 7 over a 128-sample range: ~0.2
  EXPECT_LT(e3, 0.23);
  double previous = 2.0;
  for (int bits = 1; bits <= 8; ++bits) {
    const double e = rel_error(w, dequantize(quantize_rtn(w, m, k, bits, 128)));
    EXPECT_LT(e, previous * 0.6) << bits; // each extra bit roughly halves the step
    previous = e;
  }
}

TEST(Rtn, ConstantGroupsAreRepresented) {
  const std::int64_t m = 3, k = 64;
  std::vector<float> w(static_cast<std::size_t>(m * k));
  for (std::int64_t j = 0; j < k; ++j) {
    w[static_cast<std::size_t>(j)] = 0.0f;
    w[static_cast<std::size_t>(k + j)] = 0.75f;
    w[static_cast<std::size_t>(2 * k + j)] = -3.5f;
  }
  for (int bits : {1, 3, 8}) {
    const auto d = dequantize(quantize_rtn(w, m, k, bits, 32));
    for (std::size_t i = 0; i < w.size(); ++i)
      ASSERT_NEAR(d[i], w[i], 1e-3 * std::abs(w[i])) << bits << " " << i;
  }
}

TEST(Rtn, BadInputIsAUsageError) {
  const auto w = gaussian_weights(4, 64, 1);
  EXPECT_THROW(quantize_rtn(w, 4, 64, 0, 32), UsageError);
  EXPECT_THROW(quantize_rtn(w, 4, 64, 9, 32), UsageError);
  EXPECT_THROW(quantize_rtn(w, 4, 64, 3, 48), UsageError); // does not divide K
  EXPECT_THROW(quantize_rtn(w, 0, 64, 3, 32), UsageError);
  EXPECT_THROW(quantize_rtn(w, 4, -64, 3, 32), UsageError);
  EXPECT_THROW(quantize_rtn(w, 8, 64, 3, 32), UsageError); // size mismatch
  auto bad = w;
  bad[77] = std::numeric_limits<float>::quiet_NaN();
  EXPECT_THROW(quantize_rtn(bad, 4, 64, 3, 32), UsageError);
  bad[77] = 1e9f; // 3-bit scale ~1.4e8 does not fit fp16
  EXPECT_THROW(quantize_rtn(bad, 4, 64, 3, 32), UsageError);
}

// The conversion's only inexact step is rounding z to fp16: the difference is at most half an
// fp16 ulp of the exact z = s*((2^q - 1)/2 - zp), i.e. |z| * 2^-11 (or 2^-25 when z is subnormal).
TEST(UniformToBcq, DequantizedWeightsMatchForEveryBitWidth) {
  const std::int64_t m = 20, k = 256;
  const auto w = gaussian_weights(m, k, 23, 0.05f);
  for (int bits = 1; bits <= 8; ++bits) {
    for (std::int64_t group : {std::int64_t{32}, std::int64_t{kRowWise}}) {
      const auto q = quantize_rtn(w, m, k, bits, group);
      const auto bcq = uniform_to_bcq(q);
      ASSERT_TRUE(bcq.has_offset);
      ASSERT_EQ(bcq.bits, bits);
      const auto before = dequantize(q);
      const auto after = dequantize(bcq);
      for (std::int64_t row = 0; row < m; ++row) {
        for (std::int64_t col = 0; col < k; ++col) {
          const std::int64_t grp = col / q.group;
          const auto gi = static_cast<std::size_t>(grp * m + row);
          const double s = half_to_double(q.scale[gi]);
          for (int i = 0; i < bits; ++i) // alpha_i = s * 2^(i-1), exactly
            ASSERT_EQ(half_to_double(bcq.alpha[bcq.alpha_index(grp, i, row)]),
                      s * std::pow(2.0, i - 1));
          const double z_exact = s * ((std::pow(2.0, bits) - 1) / 2 - q.zero_point[gi]);
          const double tolerance = std::max(std::abs(z_exact) * 0x1p-11, 0x1p-25);
          const auto i = static_cast<std::size_t>(row * k + col);
          ASSERT_LE(std::abs(before[i] - after[i]), tolerance)
              << "bits " << bits << " row " << row << " col " << col;
        }
      }
    }
  }
}

TEST(Generate, SeededReproducibleAndNeverZeroActivations) {
  const auto a = gaussian_weights(33, 100, 5);
  EXPECT_EQ(a, gaussian_weights(33, 100, 5));
  EXPECT_NE(a, gaussian_weights(33, 100, 6));
  double sum = 0.0, sum_sq = 0.0;
  for (float v : a) {
    sum += v;
    sum_sq += static_cast<double>(v) * v;
  }
  const double n = static_cast<double>(a.size());
  EXPECT_NEAR(sum / n, 0.0, 0.1);
  EXPECT_NEAR(std::sqrt(sum_sq / n), 1.0, 0.1);
  // Row r of a taller matrix is the same row: the stream depends on (seed, row) only.
  const auto tall = gaussian_weights(66, 100, 5);
  EXPECT_TRUE(std::equal(a.begin(), a.end(), tall.begin()));

  const auto x = random_activations(32, 4096, 9);
  ASSERT_EQ(x.size(), 32u * 4096u);
  EXPECT_EQ(x, random_activations(32, 4096, 9));
  int negative = 0;
  for (std::uint16_t h : x) {
    ASSERT_TRUE(half_is_finite(h));
    ASSERT_GE(std::abs(half_to_float(h)), 0x1p-8f);
    negative += half_to_float(h) < 0;
  }
  EXPECT_NEAR(negative, 16 * 4096, 1000);
  EXPECT_THROW(gaussian_weights(0, 5, 1), UsageError);
}
