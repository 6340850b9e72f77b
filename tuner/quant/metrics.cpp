#include "quant/metrics.hpp"

#include "common/error.hpp"
#include "quant/pack_bcq.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace lutgemm {

ReconstructionError reconstruction_error(std::span<const float> weights,
                                         std::span<const double> dequantized) {
  if (weights.empty() || weights.size() != dequantized.size()) {
    throw UsageError(fmt::format("reconstruction error: {} weights vs {} dequantized values",
                                 weights.size(), dequantized.size()));
  }
  // Sums in double: 10^8 squared terms of float weights stay accurate to many digits.
  double diff2 = 0, norm2 = 0, max_abs = 0;
  for (std::size_t i = 0; i < weights.size(); ++i) {
    const double w = weights[i];
    const double d = w - dequantized[i];
    diff2 += d * d;
    norm2 += w * w;
    max_abs = std::max(max_abs, std::abs(d));
  }
  ReconstructionError e;
  const double floor2 = static_cast<double>(weights.size()) * kErrorFloor * kErrorFloor;
  e.rel_frobenius = std::sqrt(diff2 / std::max(norm2, floor2));
  e.max_abs = max_abs;
  e.rmse = std::sqrt(diff2 / static_cast<double>(weights.size()));
  return e;
}

PackedBcqBytes packed_bcq_bytes(std::int64_t m, std::int64_t k, int bits, std::int64_t group,
                                bool has_offset) {
  if (m <= 0 || k <= 0 || bits <= 0 || group <= 0 || k % group != 0) {
    throw UsageError(fmt::format("packed size of m={} k={} bits={} g={}: sizes must be positive "
                                 "and g must divide K",
                                 m, k, bits, group));
  }
  const std::int64_t rows = padded_rows(m);
  const std::int64_t words = (k + 31) / 32;
  const std::int64_t groups = k / group;
  PackedBcqBytes b;
  b.bit_words = words * bits * rows * 4;
  b.alpha = groups * bits * rows * 2;
  b.offset = has_offset ? groups * rows * 2 : 0;
  return b;
}

double bits_per_weight(const PackedBcqBytes& bytes, std::int64_t m, std::int64_t k) {
  return static_cast<double>(bytes.total()) * 8.0 /
         (static_cast<double>(m) * static_cast<double>(k));
}

} // namespace lutgemm
