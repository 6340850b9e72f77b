#include "common/half.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace lutgemm {

std::uint16_t float_to_half(double value) {
  // Every float is exactly a double, so one routine rounding from double serves both overloads.
  const auto bits = std::bit_cast<std::uint64_t>(value);
  const auto sign = static_cast<std::uint16_t>((bits >> 48) & 0x8000u);
  const auto exponent_field = static_cast<int>((bits >> 52) & 0x7ffu);
  const std::uint64_t mantissa = bits & ((std::uint64_t{1} << 52) - 1);

  if (exponent_field == 0x7ff) {
    return static_cast<std::uint16_t>(sign | (mantissa != 0 ? kHalfQuietNaN : 0x7c00u));
  }
  if (exponent_field == 0) {
    return sign; // zero or a double subnormal (< 2^-1022): far below half of 2^-24
  }
  const int exponent = exponent_field - 1023; // value = significand * 2^(exponent - 52)
  if (exponent > 15) {
    return static_cast<std::uint16_t>(sign | 0x7c00u);
  }
  const std::uint64_t significand = mantissa | (std::uint64_t{1} << 52);

  // Express the value in units of the binary16 ulp at this magnitude: 2^(e - 10) for normals,
  // 2^-24 for subnormals. The rounded quotient q then maps onto the bit pattern directly:
  // bits = (max(e, -14) + 14) << 10 + q, where a carry of q into 2^11 bumps the exponent field
  // and q = 1024 at e < -14 becomes the smallest normal, both as IEEE requires.
  const int ulp_exponent = std::max(exponent, -14) - 10;
  const int shift = ulp_exponent - (exponent - 52); // >= 42
  if (shift > 60) {
    return sign; // value < 2^-32: far below half of 2^-24, rounds to zero
  }
  std::uint64_t quotient = significand >> shift;
  const std::uint64_t remainder = significand & ((std::uint64_t{1} << shift) - 1);
  const std::uint64_t half_way = std::uint64_t{1} << (shift - 1);
  if (remainder > half_way || (remainder == half_way && (quotient & 1u) != 0)) {
    ++quotient;
  }
  const std::uint64_t result =
      (static_cast<std::uint64_t>(std::max(exponent, -14) + 14) << 10) + quotient;
  if (result >= 0x7c00u) {
    return static_cast<std::uint16_t>(sign | 0x7c00u);
  }
  return static_cast<std::uint16_t>(sign | result);
}

std::uint16_t float_to_half(float value) {
  return float_to_half(static_cast<double>(value));
}

float half_to_float(std::uint16_t bits) {
  const std::uint32_t sign = static_cast<std::uint32_t>(bits & 0x8000u) << 16;
  const std::uint32_t exponent = (bits >> 10) & 0x1fu;
  const std::uint32_t mantissa = bits & 0x3ffu;
  if (exponent == 0) {
    // Zero or subnormal: mantissa * 2^-24, exact in float.
    const float magnitude = static_cast<float>(mantissa) * 5.9604644775390625e-08f;
    return sign != 0 ? -magnitude : magnitude;
  }
  if (exponent == 0x1f) {
    // Infinity, or NaN kept quiet with its payload.
    return std::bit_cast<float>(sign | 0x7f800000u | (mantissa << 13) |
                                (mantissa != 0 ? 0x00400000u : 0u));
  }
  return std::bit_cast<float>(sign | ((exponent + 112u) << 23) | (mantissa << 13));
}

float round_to_half(float value) {
  return half_to_float(float_to_half(value));
}
double round_to_half(double value) {
  return half_to_float(float_to_half(value));
}

bool half_is_nan(std::uint16_t bits) {
  return (bits & 0x7c00u) == 0x7c00u && (bits & 0x3ffu) != 0;
}
bool half_is_finite(std::uint16_t bits) {
  return (bits & 0x7c00u) != 0x7c00u;
}

std::vector<std::uint16_t> floats_to_halves(std::span<const float> values) {
  std::vector<std::uint16_t> out(values.size());
  std::transform(values.begin(), values.end(), out.begin(),
                 [](float v) { return float_to_half(v); });
  return out;
}

std::vector<float> halves_to_floats(std::span<const std::uint16_t> bits) {
  std::vector<float> out(bits.size());
  std::transform(bits.begin(), bits.end(), out.begin(),
                 [](std::uint16_t b) { return half_to_float(b); });
  return out;
}

} // namespace lutgemm
