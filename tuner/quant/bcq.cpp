#include "quant/bcq.hpp"

#include "common/error.hpp"
#include "common/half.hpp"
#include "quant/parallel_rows.hpp"
#include "quant/shape_check.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <numeric>

namespace lutgemm {
namespace {

constexpr int kMaxUnknowns = 9; // 8 alphas + the offset

// One (row, group) being quantized: its weights and the current fp16-representable parameters.
struct GroupState {
  std::array<double, 8> alpha{};
  double offset = 0.0;
  double error = 0.0; // sum of squared differences
};

double to_fp16_value(double value, std::int64_t row) {
  const std::uint16_t bits = float_to_half(value);
  if (!half_is_finite(bits)) {
    throw UsageError(fmt::format(
        "weights of row {} are too large: a BCQ scale or offset of {} does not fit fp16 (max {})",
        row, value, kHalfMax));
  }
  return half_to_double(bits);
}

// Rounds the parameters to fp16 as the kernels will see them. alpha stays > 0: a scale that
// underflows becomes the smallest positive fp16 value.
void round_to_fp16(GroupState& state, int bits, std::int64_t row) {
  for (int i = 0; i < bits; ++i)
    state.alpha[i] = std::max(to_fp16_value(state.alpha[i], row), kHalfMinSubnormal);
  state.offset = to_fp16_value(state.offset, row);
}

// For fixed parameters, every weight takes the code of the nearest representable level.
// Returns the squared error.
double assign_nearest(const float* w, std::int64_t g, int bits, const GroupState& state,
                      std::uint8_t* codes) {
  const int level_count = 1 << bits;
  std::array<std::pair<double, int>, 256> levels;
  for (int code = 0; code < level_count; ++code) {
    double value = state.offset;
    for (int i = 0; i < bits; ++i)
      value += ((code >> i) & 1) ? state.alpha[i] : -state.alpha[i];
    levels[code] = {value, code};
  }
  std::sort(levels.begin(), levels.begin() + level_count);
  double error = 0.0;
  for (std::int64_t j = 0; j < g; ++j) {
    const double x = w[j];
    auto it = std::lower_bound(levels.begin(), levels.begin() + level_count, x,
                               [](const auto& level, double v) { return level.first < v; });
    if (it == levels.begin() + level_count ||
        (it != levels.begin() && x - std::prev(it)->first <= it->first - x))
      it = std::prev(it);
    codes[j] = static_cast<std::uint8_t>(it->second);
    const double d = x - it->first;
    error += d * d;
  }
  return error;
}

// Least-squares alphas (and offset) for fixed signs: the normal equations, accumulated per code
// (all weights with the same code share one row of the design matrix), solved by Gaussian
// elimination with partial pivoting. A tiny ridge keeps collinear sign planes solvable (a plane
// equal to another, or constant next to the offset): their weight is then split between them,
// which represents the same levels.
void least_squares(const float* w, std::int64_t g, int bits, bool has_offset,
                   const std::uint8_t* codes, GroupState& state) {
  const int level_count = 1 << bits;
  std::array<double, 256> count{}, sum{};
  for (std::int64_t j = 0; j < g; ++j) {
    count[codes[j]] += 1.0;
    sum[codes[j]] += w[j];
  }
  const int n = bits + (has_offset ? 1 : 0);
  double a[kMaxUnknowns][kMaxUnknowns + 1] = {};
  for (int code = 0; code < level_count; ++code) {
    if (count[code] == 0.0)
      continue;
    double row[kMaxUnknowns];
    for (int i = 0; i < bits; ++i)
      row[i] = ((code >> i) & 1) ? 1.0 : -1.0;
    if (has_offset)
      row[bits] = 1.0;
    for (int i = 0; i < n; ++i) {
      for (int j = 0; j < n; ++j)
        a[i][j] += count[code] * row[i] * row[j];
      a[i][n] += sum[code] * row[i];
    }
  }
  for (int i = 0; i < n; ++i)
    a[i][i] += 1e-9 * static_cast<double>(g);
  for (int col = 0; col < n; ++col) {
    int pivot = col;
    for (int r = col + 1; r < n; ++r)
      if (std::abs(a[r][col]) > std::abs(a[pivot][col]))
        pivot = r;
    std::swap(a[col], a[pivot]);
    for (int r = 0; r < n; ++r) {
      if (r == col)
        continue;
      const double factor = a[r][col] / a[col][col];
      for (int c = col; c <= n; ++c)
        a[r][c] -= factor * a[col][c];
    }
  }
  for (int i = 0; i < bits; ++i)
    state.alpha[i] = a[i][n] / a[i][i];
  state.offset = has_offset ? a[bits][n] / a[bits][bits] : 0.0;
}

// A negative alpha is the same level set with that plane's signs flipped.
void make_alphas_positive(std::int64_t g, int bits, std::uint8_t* codes, GroupState& state) {
  for (int i = 0; i < bits; ++i) {
    if (state.alpha[i] >= 0.0)
      continue;
    state.alpha[i] = -state.alpha[i];
    for (std::int64_t j = 0; j < g; ++j)
      codes[j] ^= static_cast<std::uint8_t>(1u << i);
  }
}

GroupState greedy_start(const float* w, std::int64_t g, int bits, bool has_offset,
                        std::uint8_t* codes) {
  GroupState state;
  std::vector<double> residual(w, w + g);
  if (has_offset) {
    state.offset = std::accumulate(residual.begin(), residual.end(), 0.0) / static_cast<double>(g);
    for (auto& r : residual)
      r -= state.offset;
  }
  std::fill(codes, codes + g, std::uint8_t{0});
  for (int i = 0; i < bits; ++i) {
    double mean_abs = 0.0;
    for (double r : residual)
      mean_abs += std::abs(r);
    mean_abs /= static_cast<double>(g);
    state.alpha[i] = mean_abs;
    for (std::int64_t j = 0; j < g; ++j) {
      const bool positive = residual[j] >= 0.0;
      codes[j] |= static_cast<std::uint8_t>(positive ? (1u << i) : 0u);
      residual[j] -= positive ? mean_abs : -mean_abs;
    }
  }
  return state;
}

// The uniform grid over the group's range as a BCQ start: alpha_i = s * 2^(i-1) with
// s = range / (2^q - 1), z the middle of the range (0 without an offset, range = 2 max|w|).
GroupState uniform_start(const float* w, std::int64_t g, int bits, bool has_offset) {
  GroupState state;
  const auto [lo_it, hi_it] = std::minmax_element(w, w + g);
  double lo = *lo_it, hi = *hi_it;
  if (!has_offset) {
    hi = std::max(std::abs(lo), std::abs(hi));
    lo = -hi;
  }
  const double step = (hi - lo) / ((1 << bits) - 1);
  for (int i = 0; i < bits; ++i)
    state.alpha[i] = std::ldexp(step, i - 1);
  state.offset = has_offset ? (lo + hi) / 2 : 0.0;
  return state;
}

// Alternating refinement from `state`: `rounds` times least squares, fp16 rounding, nearest
// levels. Keeps the best state in best/best_codes (whose error must already be set).
void refine(const float* w, std::int64_t g, std::int64_t row, const BcqOptions& options,
            GroupState state, std::uint8_t* best_codes, GroupState& best,
            std::vector<std::uint8_t>& codes, std::vector<std::uint8_t>& previous) {
  const int bits = options.bits;
  round_to_fp16(state, bits, row);
  state.error = assign_nearest(w, g, bits, state, codes.data());
  for (int round = 0;; ++round) {
    if (state.error < best.error) {
      best = state;
      std::copy(codes.begin(), codes.end(), best_codes);
    }
    if (round == options.rounds)
      break;
    previous = codes;
    least_squares(w, g, bits, options.has_offset, codes.data(), state);
    make_alphas_positive(g, bits, codes.data(), state);
    round_to_fp16(state, bits, row);
    state.error = assign_nearest(w, g, bits, state, codes.data());
    if (codes == previous && round > 0)
      break; // a fixed point: further rounds would reproduce the same state
  }
}

// Two starts, each refined: the paper's greedy start and the uniform grid. Alternating
// refinement only finds a local optimum, and the greedy start (offset = mean) misses level sets
// whose codes are unevenly used, while the uniform grid start guarantees a result at least as good
// as uniform quantization with a free offset. The better of the two is kept.
void quantize_group(const float* w, std::int64_t g, std::int64_t row, const BcqOptions& options,
                    std::uint8_t* best_codes, GroupState& best) {
  std::vector<std::uint8_t> codes(static_cast<std::size_t>(g));
  std::vector<std::uint8_t> previous(static_cast<std::size_t>(g));
  best.error = std::numeric_limits<double>::infinity();
  const GroupState greedy = greedy_start(w, g, options.bits, options.has_offset, codes.data());
  refine(w, g, row, options, greedy, best_codes, best, codes, previous);
  const GroupState uniform = uniform_start(w, g, options.bits, options.has_offset);
  refine(w, g, row, options, uniform, best_codes, best, codes, previous);
}

} // namespace

BcqWeights quantize_bcq(std::span<const float> weights, std::int64_t m, std::int64_t k,
                        const BcqOptions& options) {
  const std::int64_t g =
      detail::check_quant_args(weights.size(), m, k, options.bits, options.group);
  if (options.rounds < 0)
    throw UsageError(fmt::format("rounds = {} must be 0 or more", options.rounds));
  BcqWeights bcq;
  bcq.m = m;
  bcq.k = k;
  bcq.bits = options.bits;
  bcq.group = g;
  bcq.has_offset = options.has_offset;
  const std::int64_t groups = k / g;
  bcq.signs.resize(static_cast<std::size_t>(m * k));
  bcq.alpha.resize(static_cast<std::size_t>(groups * options.bits * m));
  if (options.has_offset)
    bcq.offset.resize(static_cast<std::size_t>(groups * m));

  parallel_rows(
      m,
      [&](std::int64_t row_begin, std::int64_t row_end) {
        for (std::int64_t row = row_begin; row < row_end; ++row) {
          const float* w_row = weights.data() + row * k;
          for (std::int64_t j = 0; j < k; ++j) {
            if (!std::isfinite(w_row[j]))
              throw UsageError(fmt::format("weight [{}][{}] = {} is not finite", row, j, w_row[j]));
          }
          for (std::int64_t grp = 0; grp < groups; ++grp) {
            GroupState best;
            quantize_group(w_row + grp * g, g, row, options, bcq.signs.data() + row * k + grp * g,
                           best);
            for (int i = 0; i < options.bits; ++i)
              bcq.alpha[bcq.alpha_index(grp, i, row)] = float_to_half(best.alpha[i]);
            if (options.has_offset)
              bcq.offset[bcq.offset_index(grp, row)] = float_to_half(best.offset);
          }
        }
      },
      options.threads, k * options.bits * (options.rounds + 1));
  return bcq;
}

std::vector<double> dequantize(const BcqWeights& bcq) {
  std::vector<double> w(static_cast<std::size_t>(bcq.m * bcq.k));
  for (std::int64_t row = 0; row < bcq.m; ++row) {
    for (std::int64_t col = 0; col < bcq.k; ++col) {
      const std::int64_t grp = col / bcq.group;
      const std::uint8_t code = bcq.signs[static_cast<std::size_t>(row * bcq.k + col)];
      double value = bcq.has_offset ? half_to_double(bcq.offset[bcq.offset_index(grp, row)]) : 0.0;
      for (int i = 0; i < bcq.bits; ++i) {
        const double a = half_to_double(bcq.alpha[bcq.alpha_index(grp, i, row)]);
        value += ((code >> i) & 1) ? a : -a;
      }
      w[static_cast<std::size_t>(row * bcq.k + col)] = value;
    }
  }
  return w;
}

} // namespace lutgemm
