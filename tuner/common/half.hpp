#pragma once
// fp16 on the host: IEEE 754 binary16 values carried as their bit patterns (std::uint16_t), the
// representation every packed array of this project uses (scales, offsets, activations, outputs).
// Conversions are portable C++ (no CUDA headers), round to nearest even, overflow to infinity,
// with subnormals handled exactly, so host references see bit-for-bit what a kernel sees.
#include <cstdint>
#include <span>
#include <vector>

namespace lutgemm {

inline constexpr std::uint16_t kHalfPositiveInfinity = 0x7c00;
inline constexpr std::uint16_t kHalfNegativeInfinity = 0xfc00;
inline constexpr std::uint16_t kHalfQuietNaN = 0x7e00;
inline constexpr std::uint16_t kHalfMaxBits = 0x7bff; // 65504
inline constexpr double kHalfMax = 65504.0;
inline constexpr double kHalfMinNormal = 6.103515625e-05;           // 2^-14
inline constexpr double kHalfMinSubnormal = 5.9604644775390625e-08; // 2^-24

// Round to the nearest binary16 value, ties to even. |x| >= 65520 gives infinity, NaN a quiet NaN
// with the sign of x. The double overload rounds once (no double rounding through float).
std::uint16_t float_to_half(float value);
std::uint16_t float_to_half(double value);

// Exact: every binary16 value is a float (and a double).
float half_to_float(std::uint16_t bits);
inline double half_to_double(std::uint16_t bits) {
  return half_to_float(bits);
}

// The value x takes after a trip through fp16: half_to_float(float_to_half(x)).
float round_to_half(float value);
double round_to_half(double value);

bool half_is_nan(std::uint16_t bits);
bool half_is_finite(std::uint16_t bits);

// Whole-array conversions.
std::vector<std::uint16_t> floats_to_halves(std::span<const float> values);
std::vector<float> halves_to_floats(std::span<const std::uint16_t> bits);

} // namespace lutgemm
