// fp16 conversions, checked against two independent oracles: the exact value of every binary16
// bit pattern (computed with std::ldexp from the IEEE definition) and CUDA's host conversion
// __float2half_rn from cuda_fp16.h.
#include "common/half.hpp"

#include <cuda_fp16.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <random>

using namespace lutgemm;

namespace {
// The IEEE definition of a binary16 value, written independently of half.cpp.
double definition_value(std::uint16_t bits) {
  const int sign = (bits & 0x8000) ? -1 : 1;
  const int exponent = (bits >> 10) & 0x1f;
  const int mantissa = bits & 0x3ff;
  if (exponent == 0x1f)
    return mantissa ? std::numeric_limits<double>::quiet_NaN()
                    : sign * std::numeric_limits<double>::infinity();
  if (exponent == 0)
    return sign * std::ldexp(mantissa, -24);
  return sign * std::ldexp(1024 + mantissa, exponent - 25);
}

std::uint16_t cuda_rounding(float value) {
  return __half_as_ushort(__float2half_rn(value));
}
} // namespace

TEST(Half, EveryPatternConvertsExactlyAndRoundTrips) {
  for (std::uint32_t b = 0; b < 0x10000; ++b) {
    const auto bits = static_cast<std::uint16_t>(b);
    const double expected = definition_value(bits);
    const float got = half_to_float(bits);
    if (std::isnan(expected)) {
      EXPECT_TRUE(std::isnan(got)) << std::hex << b;
      EXPECT_TRUE(half_is_nan(float_to_half(got))) << std::hex << b;
      EXPECT_EQ(float_to_half(got) & 0x8000, bits & 0x8000) << std::hex << b;
      continue;
    }
    ASSERT_EQ(static_cast<double>(got), expected) << std::hex << b;
    ASSERT_EQ(std::signbit(got), (bits & 0x8000) != 0) << std::hex << b;
    ASSERT_EQ(float_to_half(got), bits) << std::hex << b;
    ASSERT_EQ(float_to_half(static_cast<double>(got)), bits) << std::hex << b;
    EXPECT_EQ(half_is_finite(bits), std::isfinite(expected));
  }
}

TEST(Half, MidpointsRoundToEvenAndNeighboursToNearest) {
  // Between every pair of consecutive positive finite halves (subnormals included), and between
  // the largest one and the overflow threshold.
  for (std::uint16_t lo = 0; lo < kHalfMaxBits; ++lo) {
    const auto hi = static_cast<std::uint16_t>(lo + 1);
    const double a = definition_value(lo), b = definition_value(hi);
    const double mid = (a + b) / 2; // exact in double
    const std::uint16_t even = (lo & 1) ? hi : lo;
    ASSERT_EQ(float_to_half(mid), even) << std::hex << lo;
    ASSERT_EQ(float_to_half(-mid), even | 0x8000) << std::hex << lo;
    ASSERT_EQ(float_to_half(std::nextafter(mid, 0.0)), lo) << std::hex << lo;
    ASSERT_EQ(float_to_half(std::nextafter(mid, 1e9)), hi) << std::hex << lo;
    ASSERT_EQ(float_to_half(static_cast<float>(mid)), even) << std::hex << lo; // mid fits a float
  }
}

TEST(Half, OverflowUnderflowAndSpecials) {
  EXPECT_EQ(float_to_half(65504.0f), kHalfMaxBits);
  EXPECT_EQ(float_to_half(65519.99f), kHalfMaxBits);
  EXPECT_EQ(float_to_half(65520.0f), kHalfPositiveInfinity); // the tie rounds to "even" = inf
  EXPECT_EQ(float_to_half(-1e30f), kHalfNegativeInfinity);
  EXPECT_EQ(float_to_half(1e300), kHalfPositiveInfinity);
  EXPECT_EQ(float_to_half(std::numeric_limits<float>::infinity()), kHalfPositiveInfinity);
  EXPECT_TRUE(half_is_nan(float_to_half(std::numeric_limits<float>::quiet_NaN())));
  EXPECT_EQ(float_to_half(std::ldexp(1.0, -24)), 0x0001);
  EXPECT_EQ(float_to_half(std::ldexp(1.0, -25)), 0x0000); // tie with zero: even
  EXPECT_EQ(float_to_half(std::ldexp(1.0, -25) * 1.0000001), 0x0001);
  EXPECT_EQ(float_to_half(std::ldexp(3.0, -25)), 0x0002); // 1.5 ulp: tie, to even 2
  EXPECT_EQ(float_to_half(-std::ldexp(1.0, -26)), 0x8000);
  EXPECT_EQ(float_to_half(std::ldexp(1.0, -14)), 0x0400);
  EXPECT_EQ(float_to_half(std::ldexp(1023.5, -24)), 0x0400); // subnormal carries into normal
  EXPECT_EQ(float_to_half(std::numeric_limits<double>::denorm_min()), 0x0000);
  EXPECT_EQ(float_to_half(-0.0f), 0x8000);
  EXPECT_EQ(round_to_half(0.1), 0.0999755859375);
}

TEST(Half, DoubleOverloadRoundsOnce) {
  // 1 + 2^-11 + 2^-40 is just above a half-way point; rounding through float first would land
  // on the tie (1 + 2^-11) and go down to even.
  const double x = 1.0 + std::ldexp(1.0, -11) + std::ldexp(1.0, -40);
  EXPECT_EQ(static_cast<float>(x), 1.0f + std::ldexp(1.0f, -11));
  EXPECT_EQ(float_to_half(x), 0x3c01);
  EXPECT_EQ(float_to_half(static_cast<float>(x)), 0x3c00);
}

TEST(Half, RandomFloatsMatchCudaHostConversion) {
  std::mt19937 rng(12345);
  std::uniform_int_distribution<std::uint32_t> any_bits;
  std::normal_distribution<float> normal(0.0f, 1.0f);
  for (int i = 0; i < 300000; ++i) {
    // Raw bit patterns over the whole float range, plus values in the half range.
    float value = std::bit_cast<float>(any_bits(rng));
    if (i % 2 == 0)
      value = normal(rng) * std::ldexp(1.0f, static_cast<int>(any_bits(rng) % 44) - 28);
    if (std::isnan(value))
      continue;
    ASSERT_EQ(float_to_half(value), cuda_rounding(value)) << value;
  }
}

TEST(Half, ArrayConversions) {
  const std::vector<float> values{1.0f, -2.5f, 0.333f, 70000.0f};
  const auto halves = floats_to_halves(values);
  ASSERT_EQ(halves.size(), values.size());
  for (std::size_t i = 0; i < values.size(); ++i)
    EXPECT_EQ(halves[i], cuda_rounding(values[i]));
  const auto back = halves_to_floats(halves);
  for (std::size_t i = 0; i < values.size(); ++i)
    EXPECT_EQ(back[i], static_cast<float>(definition_value(halves[i])));
}
