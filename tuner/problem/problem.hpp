#pragma once
// The problem a kernel solves: y (M x batch) = W (M x K) * x (K x batch), W quantized to `bits`
// bit-planes with one set of scales per `group` consecutive weights along K.
#include <cstdint>
#include <string>
#include <string_view>

namespace lutgemm {

// group == kRowWise means one group per row (g = K), the paper's "row-wise" setting.
inline constexpr int kRowWise = 0;
inline constexpr int kMinBits = 1;
inline constexpr int kMaxBits = 8;
inline constexpr int kMaxBatch = 32; // largest batch served by the table-based kernels
inline constexpr int kKGranule = 32; // K must be a multiple of this (one packed word)
// Upper bounds, so that every size derived from a problem (bytes, grids, times) fits in 64 bits:
// M and K up to 2^24 (16.7 M; the largest LLM layers are ~0.25 M), M x K up to 2^36 weights.
inline constexpr std::int64_t kMaxDim = std::int64_t{1} << 24;
inline constexpr std::int64_t kMaxProblemWeights = std::int64_t{1} << 36;

struct Problem {
  std::int64_t m = 0;     // output features (rows of W)
  std::int64_t k = 0;     // input features (reduction dimension)
  int batch = 1;          // activation columns
  int bits = 3;           // q, 1..8
  int group = 128;        // g along K, or kRowWise
  bool has_offset = true; // extended BCQ: an offset z per (row, group)

  // g as a number of weights: k when row-wise.
  std::int64_t group_size() const { return group == kRowWise ? k : group; }
  std::int64_t groups_per_row() const { return k / group_size(); }
  friend bool operator==(const Problem&, const Problem&) = default;
};

// Throws UsageError naming the bad value and what is allowed (0 < M, K <= kMaxDim; M x K <=
// kMaxProblemWeights; K % 32 == 0; 1 <= bits <= 8; 1 <= batch <= 32; g a positive multiple of 32
// dividing K, or row-wise).
void validate(const Problem& problem);

// "49152x12288 b1 q3 g128" (g: "row" when row-wise). Stable: used in labels and the database.
std::string to_string(const Problem& problem);

// Parses "MxK" (e.g. "49152x12288") into m and k; throws UsageError on malformed text or a size
// above kMaxDim.
void parse_shape(std::string_view text, std::int64_t& m, std::int64_t& k);

// The group as labels and messages write it: "row" for kRowWise, else the number.
std::string group_text(int group);

// Parses a group option: "row" (or "k") -> kRowWise, else a positive integer.
int parse_group(std::string_view text);

} // namespace lutgemm
