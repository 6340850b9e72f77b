#pragma once
// Binary-coding quantization (BCQ), optionally with an offset ("extended BCQ"), group-wise along K:
//
//   w[m][k] ~= sum_{i<q} alpha(grp, i, m) * b_i[m][k] + z(grp, m),   b_i in {-1, +1}, grp = k / g
//
// This unpacked form is what quantizers produce and tests inspect; pack_bcq (quant/pack_bcq.hpp)
// turns it into the kernels' PackedBcq layout. alpha and z are stored as fp16, exactly the values
// a kernel will read, and the signs are the best ones for those fp16 values.
#include <cstdint>
#include <span>
#include <vector>

namespace lutgemm {

struct BcqWeights {
  std::int64_t m = 0;
  std::int64_t k = 0;
  int bits = 0;           // q, 1..8
  std::int64_t group = 0; // g in weights (k when row-wise); divides k
  bool has_offset = false;
  std::vector<std::uint8_t> signs;   // [m][k]; bit i set -> b_i = +1, clear -> b_i = -1
  std::vector<std::uint16_t> alpha;  // fp16 [k/g][q][m]
  std::vector<std::uint16_t> offset; // fp16 [k/g][m]; empty when has_offset is false

  std::int64_t groups_per_row() const { return k / group; }
  std::size_t alpha_index(std::int64_t grp, int plane, std::int64_t row) const {
    return static_cast<std::size_t>((grp * bits + plane) * m + row);
  }
  std::size_t offset_index(std::int64_t grp, std::int64_t row) const {
    return static_cast<std::size_t>(grp * m + row);
  }
};

struct BcqOptions {
  int bits = 3;
  std::int64_t group = 128; // g in weights, or kRowWise (0) for g = k
  bool has_offset = true;
  int rounds = 15; // alternating refinement rounds after each start (0: the starts only)
  int threads = 0; // 0: std::thread::hardware_concurrency()
};

// Non-uniform BCQ of float weights [m][k] (row-major), per (row, group), from two starts:
//  a. the paper's greedy start: z = mean(w) when has_offset, r = w - z; for each plane
//     b_i = sign(r) (+1 at 0), alpha_i = mean|r|, r -= alpha_i * b_i;
//  b. the uniform grid over [min, max] (alpha_i = step * 2^(i-1), z = mid-range), so the result
//     is never worse than uniform quantization with a free offset;
// each followed by up to `rounds` rounds of alternating refinement: least-squares alphas (and z)
// for the fixed signs, rounded to fp16; then for each weight the nearest of the 2^q levels
// z + sum_i +-alpha_i that those fp16 values represent. A round that changes no sign ends the
// refinement early (a fixed point). The best (lowest squared error) state seen is kept, so more
// rounds never give a larger error, and the stored fp16 alphas/z and the signs always agree
// (signs are the nearest level for the stored values). alphas are made positive by flipping a
// plane's signs. Rows are quantized on options.threads threads. Throws UsageError on bad
// shapes/bits/group, rounds < 0, non-finite weights, or weights too large for fp16 scales.
BcqWeights quantize_bcq(std::span<const float> weights, std::int64_t m, std::int64_t k,
                        const BcqOptions& options);

// sum_i alpha_i b_i + z in double for every weight, [m][k]. Exact (a sum of at most 9 fp16 values).
std::vector<double> dequantize(const BcqWeights& bcq);

} // namespace lutgemm
