#pragma once
// What `lutgemm quantize` reports about a quantization: how far the dequantized weights are from
// the originals, and what the kernels' packed layout (quant/packed_bcq.hpp) costs in memory.
#include <cstdint>
#include <span>

namespace lutgemm {

// The smallest normal fp16 (2^-14): scales and offsets are stored in fp16, so errors below it are
// measured against it rather than against a smaller reference.
inline constexpr double kErrorFloor = 6.103515625e-05;

struct ReconstructionError {
  // ||W - Q||_F / max(||W||_F, sqrt(N) * kErrorFloor): relative to the weights, but never to less
  // than fp16's resolution, so all-zero or tiny (1e-9) weights give a finite, meaningful number.
  double rel_frobenius = 0;
  double max_abs = 0; // max |W - Q|
  double rmse = 0;    // sqrt(mean (W - Q)^2)
};

// Throws UsageError when the sizes differ or are empty.
ReconstructionError reconstruction_error(std::span<const float> weights,
                                         std::span<const double> dequantized);

// Bytes of each array of the packed BCQ layout (with the layout's row padding; K rounded up to
// whole 32-bit words when it is not a multiple of 32).
struct PackedBcqBytes {
  std::int64_t bit_words = 0;
  std::int64_t alpha = 0;
  std::int64_t offset = 0;
  std::int64_t total() const { return bit_words + alpha + offset; }
};

// group: g in weights (dividing k). Throws UsageError on non-positive sizes.
PackedBcqBytes packed_bcq_bytes(std::int64_t m, std::int64_t k, int bits, std::int64_t group,
                                bool has_offset);

// Packed bits plus scales and offsets per (unpadded) weight.
double bits_per_weight(const PackedBcqBytes& bytes, std::int64_t m, std::int64_t k);

} // namespace lutgemm
