// Every code path of the LUT-GEMM kernel, run by the host emulator through the family's launch
// plan and compared element by element with the float64 reference of the same packed weights:
// each mu, fp32 and fp16 accumulation, full and half tables, 32/64/128-bit loads, batch 1, 3, 8
// and 32 (with partial column blocks), g equal to / smaller than / larger than / not a multiple of
// the K tile and row-wise, M not a multiple of the row tile and odd, K of one tile and of many, K
// splits that do not divide the tiles and splits that are not powers of two, every combine mode,
// with and without offsets, and the shipped defaults. Inputs are random (weights, scales, offsets,
// activations never zero), y and the workspace are poisoned with NaN before the launch.
//
// Tolerance per element, against the exact result y* (reference in double):
//   2^-11 |y*|                   the final rounding of y to fp16 (half an ulp, relative)
// + 2^-24 (K/mu + 64) S          fp32 accumulation: at most K/mu table lookups per output plus
//                                the table sums and scalings, each rounding relative 2^-24, with
//                                S = sum_k |W[m][k] x[k]| bounding every partial sum
// or, for fp16 accumulation (tables, partial sums and accumulators rounded to 11 bits),
// + 2^-11 sqrt(K) L              L = sqrt(sum_k (W[m][k] x[k])^2): rounding errors of partial sums
//                                of size ~L grow with the number of accumulations along K; a
//                                random-walk estimate (errors seen reach about a third of it),
//                                not a worst case.
// A wrong group, plane, sign, table entry or tile costs at least one whole term, far above these.
#include "kernel_check.hpp"
#include "kernels/lut_params.hpp"
#include "quant/bcq.hpp"
#include "quant/dequantize.hpp"
#include "quant/generate.hpp"
#include "quant/pack_bcq.hpp"
#include "quant/reference.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <random>
#include <set>

using namespace lutgemm;
using namespace kernel_check;

namespace {

struct Case {
  std::string name;
  Problem problem;
  LutParams params;
};

// gtest prints a parameter by its name, not its bytes.
void PrintTo(const Case& c, std::ostream* os) {
  *os << c.name;
}

LutParams lut(int mu, int r, int t, int kt, int ld, Accum acc, TableKind table, int bc, int split,
              Combine combine, int copies = 1, TableBuild build = TableBuild::direct) {
  return LutParams{mu, r, t, kt, ld, acc, table, bc, split, combine, copies, build};
}

LutParams shfl(LutParams p) {
  p.store = TableStore::shfl;
  return p;
}

Problem problem(std::int64_t m, std::int64_t k, int batch, int bits, int group, bool offset) {
  return Problem{
      .m = m, .k = k, .batch = batch, .bits = bits, .group = group, .has_offset = offset};
}

using A = Accum;
using T = TableKind;
using C = Combine;
constexpr TableBuild kSplit = TableBuild::split;
constexpr TableBuild kDirect = TableBuild::direct;

const std::vector<Case>& cases() {
  static const std::vector<Case> list = {
      // The shipped defaults at the four batch shapes (M below one 2048-row tile).
      {"default_b1", problem(300, 1024, 1, 3, 128, true), default_lut_params(3, 1)},
      {"default_b2", problem(300, 1024, 2, 3, 128, true), default_lut_params(3, 2)},
      {"default_b3", problem(300, 1024, 3, 3, 128, true), default_lut_params(3, 3)},
      {"default_b8", problem(300, 1024, 8, 3, 128, true), default_lut_params(3, 8)},
      {"default_b32_rowwise_q1", problem(200, 512, 32, 1, kRowWise, true),
       default_lut_params(1, 32)},
      // mu 4, full fp32 table, 32-bit loads, 1 row per thread; odd M = 257; g 64 > K tile 32.
      {"mu4_full_f32_ld32_r1_oddM_g_gt_tile", problem(257, 512, 1, 2, 64, false),
       lut(4, 1, 64, 32, 32, A::f32, T::full, 1, 1, C::none)},
      // mu 8, full fp16 table, 64-bit loads; g 96 is not a multiple of the 64 tile; batch 3 in
      // column blocks of 2 (the second half empty); split 2 atomic.
      {"mu8_full_f16_ld64_g96_b3_atomic", problem(200, 768, 3, 4, 96, true),
       lut(8, 2, 128, 64, 64, A::f16, T::full, 2, 2, C::atomic)},
      // mu 4, half fp16 table, 128-bit loads; g 32 < tile 128; batch 8; split 4 reduce.
      {"mu4_half_f16_ld128_g_lt_tile_b8_reduce", problem(300, 1024, 8, 3, 32, true),
       lut(4, 4, 64, 128, 128, A::f16, T::half, 8, 4, C::reduce)},
      // Row-wise (g = K > tile), odd M = 129, 32-bit loads, atomic over 2 tiles.
      {"rowwise_oddM_ld32_atomic", problem(129, 512, 1, 5, kRowWise, true),
       lut(8, 4, 128, 256, 32, A::f32, T::half, 1, 4, C::atomic)},
      // K is one tile; 512 rows per block for M = 100.
      {"one_tile_r8_t64", problem(100, 256, 1, 1, 256, true),
       lut(8, 8, 64, 256, 128, A::f32, T::half, 1, 1, C::none)},
      // split 16 capped at the 8 tiles of K; 512 threads; mu 4 full fp32; 64-bit loads.
      {"split_capped_t512", problem(300, 256, 1, 3, 128, true),
       lut(4, 2, 512, 32, 64, A::f32, T::full, 1, 16, C::reduce)},
      {"q8_no_offset_g_lt_tile", problem(160, 512, 1, 8, 32, false),
       lut(8, 4, 256, 128, 128, A::f32, T::half, 1, 1, C::none)},
      // g equal to the tile, fp16 accumulation with a full mu-4 table, 8 rows per thread.
      {"q6_g_eq_tile_f16_r8_atomic", problem(300, 512, 1, 6, 128, true),
       lut(4, 8, 128, 128, 128, A::f16, T::full, 1, 2, C::atomic)},
      // batch 32 in 8 column blocks of 4, row-wise, q 7.
      {"q7_b32_bc4_rowwise", problem(150, 384, 32, 7, kRowWise, false),
       lut(8, 2, 256, 64, 32, A::f32, T::half, 4, 1, C::none)},
      // 5 tiles over 2 splits (3 + 2); g 320 not a multiple of the tile; odd M; batch 3 in one
      // block of 4 columns; fp16 with a half mu-8 table.
      {"q3_b3_g320_uneven_split_f16", problem(301, 640, 3, 3, 320, true),
       lut(8, 4, 128, 128, 128, A::f16, T::half, 4, 2, C::reduce)},
      // batch 8 in column blocks of 2, many tiles, full fp32 mu-4 table, no offsets, M = 255.
      {"b8_bc2_many_tiles", problem(255, 1024, 8, 4, 64, false),
       lut(4, 2, 256, 64, 64, A::f32, T::full, 2, 1, C::none)},
      // batch 32 with atomic over 8 one-word tiles; g equal to the 32 tile.
      {"b32_bc8_kt32_atomic", problem(100, 256, 32, 2, 32, true),
       lut(4, 4, 64, 32, 128, A::f32, T::half, 8, 8, C::atomic)},
      // batch 3 in 3 column blocks of 1, no offsets.
      {"b3_bc1", problem(200, 512, 3, 3, 128, false),
       lut(8, 4, 256, 128, 128, A::f32, T::half, 1, 1, C::none)},
      // mu 4 half fp16 table with 32-bit loads and 8 rows per thread; g equal to the 256 tile.
      {"mu4_half_f16_ld32_r8", problem(300, 512, 1, 3, 256, true),
       lut(4, 8, 64, 256, 32, A::f16, T::half, 1, 1, C::none)},
      // 512 threads x 1 row, full mu-8 fp32 table, split 4 reduce over 4 tiles.
      {"t512_r1_full_mu8_reduce", problem(300, 256, 1, 2, 64, true),
       lut(8, 1, 512, 64, 32, A::f32, T::full, 1, 4, C::reduce)},
      // Splits that are not powers of two (whole waves on 108, 132, 72 SMs): each combine mode,
      // K not a multiple of split x tile, runs that leave some splits without a tile (the plan
      // launches one block per run), a split larger than the K tiles. Most reuse a kernel above.
      // 11 tiles of 64 (the last half a tile) in runs of 4 + 4 + 3; atomic.
      {"split3_atomic_k_not_split_x_tile", problem(200, 672, 3, 4, 96, true),
       lut(8, 2, 128, 64, 64, A::f16, T::full, 2, 3, C::atomic)},
      // 7 tiles of 128 (the last 3/4 of one): split 6 is 4 runs of 2; h8h, reduce.
      {"split6_h8h_b8_reduce_empty_runs", problem(301, 864, 8, 4, 96, true),
       lut(8, 8, 64, 128, 128, A::h8h, T::half, 8, 6, C::reduce, 1, kSplit)},
      // The tuner's batch-8 pick for OPT-175B fc1 on the A100 (4096 rows per block, split 9):
      // 40 tiles of 32 in 8 runs of 5 (g 128, q4, odd M); reduce.
      {"split9_h8h_t512_r8_c8_reduce", problem(301, 1280, 8, 4, 128, true),
       lut(8, 8, 512, 32, 32, A::h8h, T::half, 8, 9, C::reduce, 8, kSplit)},
      // Split 11 over 8 tiles: 8 blocks of one tile; batch 32, atomic.
      {"split11_capped_b32_atomic", problem(100, 256, 32, 2, 32, true),
       lut(4, 4, 64, 32, 128, A::f32, T::half, 8, 11, C::atomic)},
      // 24 tiles of 128 (the last half of one) in 12 runs of 2; fp16, reduce.
      {"split12_f16_b8_reduce_k_not_split_x_tile", problem(300, 3008, 8, 3, 32, true),
       lut(4, 4, 64, 128, 128, A::f16, T::half, 8, 12, C::reduce)},
      // Kernel v2: table copies 2..32 and the split build, on the same kinds of odd shapes.
      {"v2_c2_split_mu8_oddM_g_gt_tile", problem(257, 512, 1, 2, 64, false),
       lut(8, 4, 64, 32, 128, A::f32, T::half, 1, 1, C::none, 2, kSplit)},
      {"v2_c4_mu4_full_f16_b3_g96_atomic", problem(200, 768, 3, 4, 96, true),
       lut(4, 2, 128, 32, 64, A::f16, T::full, 2, 2, C::atomic, 4, kDirect)},
      {"v2_c8_split_mu4_f16_b8_g_lt_tile_reduce", problem(300, 1024, 8, 3, 32, true),
       lut(4, 4, 64, 128, 128, A::f16, T::half, 2, 4, C::reduce, 8, kSplit)},
      {"v2_c16_mu4_rowwise_oddM_atomic", problem(129, 512, 1, 5, kRowWise, true),
       lut(4, 4, 128, 256, 32, A::f32, T::half, 1, 4, C::atomic, 16, kDirect)},
      {"v2_c32_split_mu4_b32_kt32", problem(100, 256, 32, 2, 32, true),
       lut(4, 4, 64, 32, 128, A::f32, T::half, 1, 8, C::atomic, 32, kSplit)},
      {"v2_c32_split_mu8_f16_g_eq_2tiles", problem(301, 320, 1, 3, 64, true),
       lut(8, 2, 128, 32, 64, A::f16, T::half, 1, 1, C::none, 32, kSplit)},
      // 32 fp32 copies of half mu-8 tables: 129 KiB of shared memory, past 48 KiB (opt-in).
      {"v2_c32_split_mu8_f32_optin_smem", problem(257, 512, 1, 3, 128, true),
       lut(8, 2, 128, 64, 64, A::f32, T::half, 1, 1, C::none, 32, kSplit)},
      // Pair tables (accum h2): __half2 entries of two columns; batch 3 leaves the second pair's
      // high half empty; odd M, g < tile, row-wise, split, copies and the split build.
      {"v2_h2_b2_mu8_oddM_g_lt_tile", problem(257, 512, 2, 3, 32, true),
       lut(8, 4, 128, 128, 128, A::h2, T::half, 2, 1, C::none)},
      {"v2_h2_b3_bc4_mu4_full_rowwise_reduce", problem(200, 768, 3, 4, kRowWise, false),
       lut(4, 2, 128, 64, 64, A::h2, T::full, 4, 4, C::reduce, 2, kSplit)},
      {"v2_h2_b32_bc8_mu4_atomic", problem(100, 256, 32, 2, 64, true),
       lut(4, 4, 64, 32, 128, A::h2, T::half, 8, 8, C::atomic, 4, kDirect)},
      // Packed pair tables (accum h4 / h8): 2 or 4 __half2 per entry, one 8- or 16-byte load
      // per key. Batch 3 in a block of 4 (one empty column), batch 8 in two blocks of 4 or one of
      // 8, batch 32 in four blocks of 8; K not a multiple of the tile; g below, above and not a
      // multiple of the tile, row-wise; odd M; conflict-free copies (16 for h4, 8 for h8).
      {"v2_h4_b8_mu8_c16_split_oddM_g_lt_tile", problem(257, 512, 8, 3, 32, true),
       lut(8, 2, 64, 32, 64, A::h4, T::half, 4, 1, C::none, 16, kSplit)},
      {"v2_h4_b3_mu4_full_rowwise_k_not_tiles_reduce", problem(200, 320, 3, 4, kRowWise, false),
       lut(4, 4, 128, 128, 128, A::h4, T::full, 4, 2, C::reduce)},
      {"v2_h8_b8_mu8_c8_split_g96_oddM_reduce", problem(301, 576, 8, 4, 96, true),
       lut(8, 4, 64, 32, 128, A::h8, T::half, 8, 2, C::reduce, 8, kSplit)},
      {"v2_h8_b32_mu4_g_gt_tile_atomic", problem(100, 256, 32, 2, 64, true),
       lut(4, 4, 64, 32, 64, A::h8, T::half, 8, 4, C::atomic, 8, kDirect)},
      // The same tables with __half2 accumulators (accum h4h / h8h, fp16 accumulation): up to 64
      // accumulator values per thread, so 8 rows x 8 columns. Batch 3, 8, 32; odd M; K not a
      // multiple of the tile; g below (not a multiple of), equal to and above the tile, row-wise.
      {"v2_h8h_b8_r8_mu8_g96_oddM_k_not_tiles_reduce", problem(301, 576, 8, 4, 96, true),
       lut(8, 8, 64, 128, 128, A::h8h, T::half, 8, 2, C::reduce, 1, kSplit)},
      {"v2_h8h_b32_r8_mu4_c8_g_gt_tile_atomic", problem(100, 256, 32, 2, 64, true),
       lut(4, 8, 64, 32, 64, A::h8h, T::half, 8, 4, C::atomic, 8, kDirect)},
      {"v2_h4h_b3_r8_mu4_full_rowwise_k_not_tiles_reduce", problem(201, 320, 3, 4, kRowWise, false),
       lut(4, 8, 64, 128, 128, A::h4h, T::full, 4, 2, C::reduce)},
      {"v2_h4h_b8_mu8_c16_split_g_eq_tile_oddM", problem(257, 512, 8, 3, 32, true),
       lut(8, 4, 64, 32, 64, A::h4h, T::half, 4, 1, C::none, 16, kSplit)},
      // Register tables (store shfl: mu 4, full, K tile 32): batch 1, 3 (blocks of 2 columns,
      // one empty) and 8, 32 (fp16); odd M; g below (= tile), above the tile and row-wise; K of
      // 10 and 9 tiles; offsets via the all-plus entry.
      {"v2_shfl_b1_oddM_g_gt_tile_reduce", problem(257, 320, 1, 3, 64, true),
       shfl(lut(4, 4, 64, 32, 128, A::f32, T::full, 1, 4, C::reduce))},
      {"v2_shfl_b3_bc2_rowwise", problem(200, 288, 3, 2, kRowWise, false),
       shfl(lut(4, 2, 128, 32, 64, A::f32, T::full, 2, 1, C::none))},
      {"v2_shfl_b8_f16_g_eq_tile_atomic", problem(129, 256, 8, 4, 32, true),
       shfl(lut(4, 4, 64, 32, 32, A::f16, T::full, 8, 2, C::atomic))},
      {"v2_shfl_b32_bc4", problem(100, 256, 32, 3, 128, true),
       shfl(lut(4, 4, 64, 32, 128, A::f32, T::full, 4, 1, C::none))},
  };
  return list;
}

// Random BCQ weights: every sign pattern, scales in [1/16, 1], offsets in +-[1/16, 1].
PackedBcq random_weights(const Problem& p, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> scale(1.0f / 16, 1.0f);
  BcqWeights bcq;
  bcq.m = p.m;
  bcq.k = p.k;
  bcq.bits = p.bits;
  bcq.group = p.group_size();
  bcq.has_offset = p.has_offset;
  bcq.signs.resize(static_cast<std::size_t>(p.m * p.k));
  for (auto& s : bcq.signs)
    s = static_cast<std::uint8_t>(rng() & ((1u << p.bits) - 1u));
  bcq.alpha.resize(static_cast<std::size_t>(p.groups_per_row() * p.bits * p.m));
  for (auto& a : bcq.alpha)
    a = float_to_half(scale(rng));
  if (p.has_offset) {
    bcq.offset.resize(static_cast<std::size_t>(p.groups_per_row() * p.m));
    for (auto& z : bcq.offset)
      z = float_to_half(rng() % 2 ? scale(rng) : -scale(rng));
  }
  return pack_bcq(bcq);
}

class LutGemmPaths : public testing::TestWithParam<Case> {
protected:
  static void SetUpTestSuite() {
    std::vector<LaunchPlan> plans;
    for (const auto& c : cases())
      plans.push_back(make_launch_plan(c.problem, c.params));
    preload(plans);
  }
};

// Runs the variant's plan on random inputs and compares every output with the reference.
void run_and_compare(const Case& c) {
  const Problem& p = c.problem;
  ASSERT_EQ(check(p, c.params), std::nullopt);
  const LaunchPlan plan = make_launch_plan(p, c.params);
  const std::uint64_t seed = std::hash<std::string>{}(c.name);
  const PackedBcq weights = random_weights(p, seed);
  const std::vector<std::uint16_t> x = random_activations(p.batch, p.k, seed + 1);
  const std::vector<double> ref = reference_gemm(weights, x, p.batch);

  // Tolerances (see the top of the file).
  const std::vector<double> w = dequantize(weights);
  std::vector<double> tol(ref.size());
  for (int b = 0; b < p.batch; ++b)
    for (std::int64_t m = 0; m < p.m; ++m) {
      double s = 0, l2 = 0;
      for (std::int64_t k = 0; k < p.k; ++k) {
        const double term = w[m * p.k + k] * half_to_double(x[b * p.k + k]);
        s += std::abs(term);
        l2 += term * term;
      }
      const std::size_t i = static_cast<std::size_t>(b * p.m + m);
      const double accumulation = c.params.accum == Accum::f32
                                      ? std::ldexp(double(p.k) / c.params.mu + 64, -24) * s
                                      : std::ldexp(std::sqrt(double(p.k)) * std::sqrt(l2), -11);
      tol[i] = std::ldexp(std::abs(ref[i]), -11) + accumulation + kHalfMinSubnormal;
    }

  DeviceBuffer bit_words = to_device(weights.bit_words);
  DeviceBuffer alpha = to_device(weights.alpha);
  DeviceBuffer offset = to_device(weights.offset);
  DeviceBuffer xs = to_device(x);
  DeviceBuffer y = nan_halves(ref.size());
  DeviceBuffer workspace = nan_workspace(std::max<std::int64_t>(plan.workspace_bytes, 4));
  std::map<std::string, DeviceBuffer*> buffers = {
      {"bit_words", &bit_words}, {"alpha", &alpha}, {"x", &xs}, {"y", &y}};
  if (p.has_offset)
    buffers["offset"] = &offset;
  if (plan.workspace_bytes > 0)
    buffers["workspace"] = &workspace;
  emu::run_plan(plan, buffers);
  compare(to_host<std::uint16_t>(y, ref.size()), ref, tol,
          fmt::format("{} ({})", lut_label(p, c.params), to_string(p)));
}

TEST_P(LutGemmPaths, MatchesTheFloat64Reference) {
  run_and_compare(GetParam());
}

INSTANTIATE_TEST_SUITE_P(Emu, LutGemmPaths, testing::ValuesIn(cases()),
                         [](const testing::TestParamInfo<Case>& info) { return info.param.name; });

// Variants drawn at random from the declared knob values, on random problems: whatever check()
// accepts must run correctly (seeded, so the draw is the same on every run).
TEST(LutGemmRandomVariants, WhatCheckAcceptsRunsCorrectly) {
  std::mt19937 rng(20261130);
  std::vector<Case> drawn;
  int rejected = 0;
  while (drawn.size() < 8) {
    KnobValues values;
    for (const auto& knob : lut_knobs())
      values[knob.name] = knob.values[rng() % knob.values.size()];
    const LutParams params = lut_params_from_values(values);
    const std::int64_t k = 32 * (1 + static_cast<std::int64_t>(rng() % 24));
    std::vector<int> groups = {kRowWise};
    for (int g = 32; g <= k; g += 32)
      if (k % g == 0)
        groups.push_back(g);
    const Problem p =
        problem(33 + static_cast<std::int64_t>(rng() % 268), k, 1 + static_cast<int>(rng() % 32),
                1 + static_cast<int>(rng() % 8), groups[rng() % groups.size()], rng() % 2 == 0);
    if (auto reason = check(p, params)) {
      EXPECT_FALSE(reason->empty());
      ++rejected;
      continue;
    }
    drawn.push_back({fmt::format("random{}", drawn.size()), p, params});
  }
  std::printf("  drew 8 accepted variants (%d rejected up front with a reason)\n", rejected);
  std::vector<LaunchPlan> plans;
  for (const auto& c : drawn)
    plans.push_back(make_launch_plan(c.problem, c.params));
  preload(plans);
  for (const auto& c : drawn)
    run_and_compare(c);
}

// The shared-memory protocol (x tile, tables, barriers between tiles) has no race: the emulator's
// race check (instrumented build) on small shapes of a few variants with different table layouts.
TEST(LutGemmRaceCheck, TablesAndTilesAreSynchronized) {
  const std::vector<Case> racy = {
      {"default_b1", problem(100, 512, 1, 3, 128, true), default_lut_params(3, 1)},
      {"mu4_half_f16_b8", problem(64, 256, 8, 2, 32, true),
       lut(4, 4, 64, 128, 128, A::f16, T::half, 8, 2, C::atomic)},
      {"mu8_full_ld32", problem(70, 256, 3, 4, 64, false),
       lut(8, 1, 128, 64, 32, A::f32, T::full, 2, 1, C::none)},
      // Kernel v2: the partial sums and every copy are written before any lookup reads them.
      {"v2_c4_split_mu4", problem(64, 256, 2, 3, 64, true),
       lut(4, 4, 64, 64, 128, A::f32, T::half, 2, 1, C::none, 4, kSplit)},
      {"v2_h2_mu8", problem(64, 256, 3, 3, 64, true),
       lut(8, 2, 64, 64, 64, A::h2, T::half, 4, 1, C::none)},
      {"v2_h8_c8_mu4", problem(64, 256, 8, 3, 64, true),
       lut(4, 2, 64, 64, 64, A::h8, T::half, 8, 1, C::none, 8, kSplit)},
      {"v2_h8h_r8_c8_mu8", problem(64, 256, 8, 3, 64, true),
       lut(8, 8, 64, 32, 64, A::h8h, T::half, 8, 1, C::none, 8, kSplit)},
  };
  emu::LaunchOptions options;
  options.race_check = true;
  for (const auto& c : racy) {
    const Problem& p = c.problem;
    const LaunchPlan plan = make_launch_plan(p, c.params);
    const PackedBcq weights = random_weights(p, 7);
    const std::vector<std::uint16_t> x = random_activations(p.batch, p.k, 8);
    DeviceBuffer bit_words = to_device(weights.bit_words);
    DeviceBuffer alpha = to_device(weights.alpha);
    DeviceBuffer offset = to_device(weights.offset);
    DeviceBuffer xs = to_device(x);
    DeviceBuffer y = nan_halves(static_cast<std::size_t>(p.batch * p.m));
    std::map<std::string, DeviceBuffer*> buffers = {
        {"bit_words", &bit_words}, {"alpha", &alpha}, {"x", &xs}, {"y", &y}};
    if (p.has_offset)
      buffers["offset"] = &offset;
    EXPECT_NO_THROW(emu::run_plan(plan, buffers, options)) << c.name;
    const auto out = to_host<std::uint16_t>(y, static_cast<std::size_t>(p.batch * p.m));
    EXPECT_TRUE(std::none_of(out.begin(), out.end(), half_is_nan)) << c.name;
  }
}

// The cases above cover every value of every knob.
TEST(LutGemmPathsCoverage, EveryKnobValueIsRun) {
  std::map<std::string, std::set<std::string>> seen;
  std::set<int> batches;
  for (const auto& c : cases()) {
    for (const auto& [knob, value] : to_values(c.params))
      seen[knob].insert(value);
    batches.insert(c.problem.batch);
  }
  for (const auto& knob : lut_knobs())
    for (const auto& value : knob.values)
      EXPECT_TRUE(seen[knob.name].count(value)) << knob.name << " = " << value;
  for (int batch : {1, 3, 8, 32})
    EXPECT_TRUE(batches.count(batch)) << "batch " << batch;
}

} // namespace
