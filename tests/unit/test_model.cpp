#include "model/bank_conflicts.hpp"
#include "model/perf_model.hpp"
#include "model/variant_workload.hpp"
#include "model/workloads.hpp"
#include "targets/gpu_spec.hpp"

#include "common/error.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

using namespace lutgemm;
using namespace lutgemm::model;

namespace {
const Problem kTable1{.m = 49152, .k = 12288, .batch = 1, .bits = 3, .group = 128};

// A random but valid workload, so that the invariants are not checked on one hand-picked point.
KernelWorkload random_workload(std::mt19937& rng) {
  std::uniform_real_distribution<double> bytes(1e5, 2e9), ops(0, 1e9), unit(0, 1);
  KernelWorkload w;
  w.dram_bytes = bytes(rng);
  w.smem_build_ops = ops(rng) * unit(rng);
  w.smem_lookups = ops(rng);
  w.bank_conflict_factor = 1 + 4 * unit(rng);
  w.alu_ops = ops(rng);
  w.atomics = ops(rng) * 0.01;
  w.grid_blocks = 1 + static_cast<std::int64_t>(unit(rng) * 50000);
  w.threads_per_block = 32 * (1 + static_cast<int>(unit(rng) * 31));
  w.regs_per_thread = 16 + static_cast<int>(unit(rng) * 48);
  w.smem_per_block = static_cast<std::int64_t>(unit(rng) * 32768);
  w.launches = 1 + static_cast<int>(unit(rng) * 2);
  return w;
}
} // namespace

TEST(Model, CublasFp16Table1WithinFifteenPercentOfPaper) {
  const auto& a100 = find_target("a100-80gb");
  const auto w = baseline_workload(Baseline::cublas_fp16, kTable1);
  // fp16 weights dominate: 49152 * 12288 * 2 bytes.
  EXPECT_NEAR(w.dram_bytes, 49152.0 * 12288 * 2, 49152.0 * 12288 * 2 * 0.001);
  const auto p = predict(w, a100);
  const double paper_us = 725.6; // PAPER.md Table 1, cuBLAS FP16
  EXPECT_NEAR(p.total_us, paper_us, 0.15 * paper_us) << "model " << p.total_us << " us";
  EXPECT_EQ(p.bound, Bound::dram);
}

// cuBLAS's kernel depends on the architecture (tuner/model/workloads.cpp gives the evidence):
// Hopper runs its tensor-core GEMM at batch 1 too, Ampere and Ada a GEMV, Ada's with few bytes
// in flight.
TEST(Model, CublasKernelChoicePerArchitecture) {
  const Problem square{.m = 4096, .k = 4096, .batch = 1, .bits = 4, .group = 128};
  const auto& a100 = find_target("a100-80gb");
  const auto& h100 = find_target("h100-sxm");
  const auto& ada = find_target("rtx-4090");
  EXPECT_EQ(baseline_workload(Baseline::cublas_fp16, square, &a100).tensor_flops, 0);
  EXPECT_GT(baseline_workload(Baseline::cublas_fp16, square, &h100).tensor_flops, 0);
  const auto ada_b1 = baseline_workload(Baseline::cublas_fp16, square, &ada);
  EXPECT_EQ(ada_b1.tensor_flops, 0);
  EXPECT_LT(ada_b1.bytes_in_flight_per_thread,
            baseline_workload(Baseline::cublas_fp16, square, &a100).bytes_in_flight_per_thread);
  // No target: the sm_80 choice.
  EXPECT_EQ(baseline_workload(Baseline::cublas_fp16, square).bytes_in_flight_per_thread,
            baseline_workload(Baseline::cublas_fp16, square, &a100).bytes_in_flight_per_thread);
  // fp32 has no tensor-core path, whatever the architecture.
  EXPECT_EQ(baseline_workload(Baseline::cublas_fp32, square, &h100).tensor_flops, 0);
  // RTX 4090, 4096x4096 on L2-resident weights: batch 1 (GEMV, latency-bound) is slower than
  // batch 4 (tensor-core GEMM), as published (43 vs 22 us); batch 1 is latency-bound.
  Problem b4 = square;
  b4.batch = 4;
  const auto p1 = predict(ada_b1, ada);
  const auto p4 = predict(baseline_workload(Baseline::cublas_fp16, b4, &ada), ada);
  EXPECT_TRUE(p1.latency_bound);
  EXPECT_GT(p1.warm_total_us, 1.5 * p4.warm_total_us);
}

// Split-K with a separate reduction: one more launch and the fp32 partials, only when K is split.
TEST(Model, SplitKReductionCountsItsLaunchAndPartials) {
  const auto& h100 = find_target("h100-sxm");
  KernelWorkload w;
  w.dram_bytes = 1e8;
  w.threads_per_block = 128;
  w.fill_gpu = true;
  w.output_elements = 8192;
  w.grid_blocks = 64; // 64 tiles on 132 SMs: split 5 ways to reach 2 blocks per SM
  auto plain = predict(w, h100);
  w.split_k_reduce = true;
  auto reduced = predict(w, h100);
  EXPECT_EQ(reduced.k_splits, 5);
  EXPECT_NEAR(reduced.launch_us - plain.launch_us,
              kLaunchOverheadUs + (5 * 8192 * 4 + 8192 * 2) /
                                      (h100.dram_gbps * h100.achievable_dram_fraction * 1e3),
              1e-9);
  EXPECT_GT(reduced.total_us, plain.total_us);
  w.grid_blocks = 10000; // enough tiles: no split, no reduction
  EXPECT_EQ(predict(w, h100).k_splits, 1);
  EXPECT_DOUBLE_EQ(predict(w, h100).launch_us, kLaunchOverheadUs);
}

TEST(Model, NeverBelowTheDramFloorAndMonotoneInBytes) {
  std::mt19937 rng(1234);
  for (int i = 0; i < 500; ++i) {
    auto w = random_workload(rng);
    for (const auto& target : gpu_specs()) {
      const auto p = predict(w, target);
      if (!p.launchable)
        continue;
      const double floor = w.dram_bytes / (target.dram_gbps * 1e3);
      EXPECT_NEAR(p.dram_floor_us, floor, floor * 1e-9);
      EXPECT_GE(p.total_us, floor) << w.name << " on " << target.key;
      EXPECT_GE(p.dram_us, floor);
      auto more = w;
      more.dram_bytes *= 1.5;
      EXPECT_GE(predict(more, target).total_us, p.total_us) << target.key;
    }
  }
}

TEST(Model, LutgemmBytesMatchPaperEstimate) {
  // PAPER.md: LUT-GEMM q3 g128 on the Table 1 layer moves ~264 MB; floor ~0.13 ms on A100-80GB.
  const auto w = lutgemm_workload(kTable1, paper_lutgemm_design());
  EXPECT_NEAR(w.dram_bytes / 1e6, 264, 264 * 0.02);
  const auto p = predict(w, find_target("a100-80gb"));
  EXPECT_NEAR(p.dram_floor_us, 130, 130 * 0.05);
  EXPECT_GT(p.total_us, p.dram_floor_us);
  // Bytes of the packed layout by hand: bits + alpha + offsets.
  const double expected = 49152.0 * 12288 * 3 / 8 + 49152.0 * 96 * 3 * 2 + 49152.0 * 96 * 2;
  EXPECT_DOUBLE_EQ(packed_bcq_bytes(kTable1), expected);
}

TEST(Model, FewerBitsFewerBytesAndLessTime) {
  const auto& a100 = find_target("a100-80gb");
  double previous = 0;
  for (int bits = 1; bits <= 8; ++bits) {
    Problem p = kTable1;
    p.bits = bits;
    const auto pred = predict(lutgemm_workload(p, paper_lutgemm_design()), a100);
    EXPECT_GT(pred.total_us, previous) << bits;
    previous = pred.total_us;
  }
  // The fp16 baseline moves ~4.6x the bytes of q3 g128 (KERNEL_NOTES: ideal speed-up ~4.57x).
  const double ratio = baseline_workload(Baseline::cublas_fp16, kTable1).dram_bytes /
                       lutgemm_workload(kTable1, paper_lutgemm_design()).dram_bytes;
  EXPECT_NEAR(ratio, 4.57, 0.05);
}

TEST(Model, OccupancyAndLimits) {
  const auto& a100 = find_target("a100-80gb");
  KernelWorkload w;
  w.dram_bytes = 1e8;
  w.grid_blocks = 10000;
  w.threads_per_block = 256;
  w.regs_per_thread = 32;
  auto p = predict(w, a100);
  EXPECT_EQ(p.blocks_per_sm, 8); // 2048 threads / 256
  EXPECT_EQ(p.occupancy_limiter, "threads");
  EXPECT_DOUBLE_EQ(p.occupancy, 1.0);
  w.regs_per_thread = 128; // 65536 / (128 * 256) = 2 blocks
  p = predict(w, a100);
  EXPECT_EQ(p.blocks_per_sm, 2);
  EXPECT_EQ(p.occupancy_limiter, "registers");
  w.regs_per_thread = 32;
  w.smem_per_block = 80 * 1024; // 164 KiB / (80 KiB + 1 KiB) = 2
  p = predict(w, a100);
  EXPECT_EQ(p.blocks_per_sm, 2);
  EXPECT_EQ(p.occupancy_limiter, "shared memory");
  w.smem_per_block = 200 * 1024; // over the opt-in limit
  p = predict(w, a100);
  EXPECT_FALSE(p.launchable);
  EXPECT_NE(p.not_launchable_reason.find("shared memory"), std::string::npos);
  EXPECT_TRUE(predict(w, find_target("h100-sxm")).launchable); // 227 KiB there
  // A tiny grid leaves SMs idle and cannot reach the bandwidth.
  w.smem_per_block = 0;
  w.grid_blocks = 8;
  p = predict(w, a100);
  EXPECT_LT(p.active_sm_fraction, 0.1);
  EXPECT_GT(p.dram_us, 10 * p.dram_floor_us);
}

TEST(Model, BankConflictsGrowWithSharingAndShrinkWithCopies) {
  // 256 fp16 entries shared by 32 lanes: conflicts (several distinct words per bank).
  const double shared = expected_bank_conflict_factor(256, 2, 1);
  EXPECT_GT(shared, 2.0);
  EXPECT_LT(shared, 6.0);
  // One 4-byte word: every lane broadcast-reads it.
  EXPECT_DOUBLE_EQ(expected_bank_conflict_factor(1, 4, 1), 1.0);
  // 32 copies of a 32-entry fp32 table (one bank per lane): conflict-free.
  EXPECT_DOUBLE_EQ(expected_bank_conflict_factor(32, 4, 32), 1.0);
  EXPECT_LT(expected_bank_conflict_factor(16, 2, 32), shared);
  EXPECT_DOUBLE_EQ(expected_bank_conflict_factor(256, 2, 1), shared); // deterministic
}

TEST(Model, EnumsRoundTripAndBadInputIsUsageError) {
  for (auto b : {Baseline::cublas_fp32, Baseline::cublas_fp16, Baseline::cublas_int8,
                 Baseline::optq_fused, Baseline::optq_dequant_cublas, Baseline::awq_int4})
    EXPECT_EQ(baseline_from_string(to_string(b)), b);
  EXPECT_THROW(baseline_from_string("cublas_fp8"), UsageError);
  for (auto b : {Bound::dram, Bound::smem, Bound::alu, Bound::atomics, Bound::launch})
    EXPECT_EQ(bound_from_string(to_string(b)), b);
  LutgemmDesign bad;
  bad.k_tile = 0;
  EXPECT_THROW(lutgemm_workload(kTable1, bad), UsageError);
}

// The table build of a variant as kernels/lutgemm.cuh does it: a direct build sums Mu activations
// per entry; the split build sums two partial sums, cheaper for Mu = 8 and dearer for half Mu = 4
// tables (their 8 entries cost less than the 2 x 4 partial sums).
TEST(Model, VariantTableBuildDirectVersusSplit) {
  LutParams p = default_lut_params(3, 1);
  auto build = [&](int mu, TableBuild b) {
    p.mu = mu;
    p.build = b;
    return lut_variant_workload(kTable1, p);
  };
  const auto direct8 = build(8, TableBuild::direct), split8 = build(8, TableBuild::split);
  EXPECT_LT(split8.smem_build_ops, 0.5 * direct8.smem_build_ops);
  EXPECT_LT(split8.alu_ops, direct8.alu_ops);
  EXPECT_EQ(split8.smem_lookups, direct8.smem_lookups); // the lookups do not change
  const auto direct4 = build(4, TableBuild::direct), split4 = build(4, TableBuild::split);
  EXPECT_GT(split4.smem_build_ops, direct4.smem_build_ops);
  // h2 pair tables halve the stores but every entry still holds two sums: the build's loads stay.
  p.batch_cols = 2;
  p.accum = Accum::h2;
  const Problem batch2{.m = 4096, .k = 4096, .batch = 2, .bits = 3, .group = 128};
  p.mu = 8;
  p.build = TableBuild::direct;
  const auto h2 = lut_variant_workload(batch2, p);
  p.accum = Accum::f32;
  const auto f32 = lut_variant_workload(batch2, p);
  EXPECT_GT(h2.smem_build_ops, 0.5 * f32.smem_build_ops);
  EXPECT_LT(h2.smem_build_ops, f32.smem_build_ops);
}

// Wider entries are served per half warp (8 bytes) or quarter warp (16 bytes): their conflict-free
// minimum is 2 or 4 wavefronts, reached with 16 or 8 copies (one bank group per lane of a phase),
// where 4-byte entries need 32 copies; fewer copies conflict.
TEST(Model, BankConflictsOfWideEntriesCountTheirPhases) {
  EXPECT_DOUBLE_EQ(expected_bank_conflict_factor(128, 8, 16), 2.0);
  EXPECT_DOUBLE_EQ(expected_bank_conflict_factor(128, 16, 8), 4.0);
  EXPECT_DOUBLE_EQ(expected_bank_conflict_factor(128, 4, 32), 1.0);
  EXPECT_GT(expected_bank_conflict_factor(128, 16, 1), 4.5);
  EXPECT_GT(expected_bank_conflict_factor(128, 8, 4), 2.5);
  // A half mu-4 table of 8-byte entries fits in 64 bytes: one wavefront per half warp.
  EXPECT_DOUBLE_EQ(expected_bank_conflict_factor(8, 8, 1), 2.0);
}

// The lookups as the kernel does them: one key extraction per block of batch_cols columns, one
// shared load per table set, N/2 half2 FMAs per hN entry. At batch 8, h8 tables do a quarter of
// h2's loads (each 16 bytes: 4 phases) and the key extraction once instead of 4 times.
TEST(Model, PackedEntriesServeMoreColumnsPerLookup) {
  const Problem b8{.m = 49152, .k = 12288, .batch = 8, .bits = 4, .group = 128};
  LutParams p = default_lut_params(4, 8);
  p.mu = 8;
  p.batch_cols = 8;
  p.k_tile = 32;
  p.accum = Accum::h2;
  p.copies = 1;
  const auto h2 = lut_variant_workload(b8, p);
  p.accum = Accum::h8;
  p.copies = 8;
  const auto h8 = lut_variant_workload(b8, p);
  const double keys = 49152.0 * 12288 / 8 * 4;
  EXPECT_DOUBLE_EQ(h2.smem_lookups, 4 * keys);
  EXPECT_DOUBLE_EQ(h8.smem_lookups, keys);
  EXPECT_DOUBLE_EQ(h8.bank_conflict_factor, 4.0);
  EXPECT_GT(h2.bank_conflict_factor, 2.0);
  // Per key: 2 + 1 (sign) + 4 half2 FMAs, in both; f32 tables: 2 + 8 x (add + select).
  p.accum = Accum::f32;
  p.copies = 1;
  const auto f32 = lut_variant_workload(b8, p);
  // (The builds cost the same ALU: an entry is summed once whatever its copies.)
  EXPECT_NEAR(f32.alu_ops - h8.alu_ops, keys * ((2 + 8 * 2) - (3 + 4)), 1e-9 * f32.alu_ops);
  // The same shared memory per column as h2 at the same copies.
  LutParams h2c8 = p;
  h2c8.accum = Accum::h2;
  h2c8.copies = 8;
  p.accum = Accum::h8;
  p.copies = 8;
  EXPECT_EQ(lut_smem_bytes(p), lut_smem_bytes(h2c8));
}

// Non-power-of-two splits (issue 12): 4096-row blocks give 12 row blocks at M = 49152, and 12 x 9
// = 108 blocks are one whole wave on the A100's 108 SMs where split 8 leaves 12 SMs idle and split
// 16 takes two waves, the second one 78% full. The compute parts follow: the same work over 108
// SMs instead of 96, or without the idle tail.
TEST(Model, ASplitOfNineFillsTheA100InOneWave) {
  const auto& a100 = find_target("a100-80gb");
  const Problem b8{.m = 49152, .k = 12288, .batch = 8, .bits = 4, .group = 128};
  // The tuner's batch-8 pick: mu 8, 8 rows x 512 threads, K tile 32, 32-bit loads, h8h, 8 copies.
  LutParams p{
      8, 8, 512, 32, 32, Accum::h8h, TableKind::half, 8, 16, Combine::reduce, 8, TableBuild::split};
  constexpr int kRegisters = 128; // 512 x 128 = the SM's 64K registers: one block per SM
  auto run = [&](int split) {
    p.split = split;
    const auto w = lut_variant_workload(b8, p, kRegisters);
    return std::pair{w, predict(w, a100)};
  };
  const auto [w8, p8] = run(8);
  const auto [w9, p9] = run(9);
  const auto [w16, p16] = run(16);
  EXPECT_EQ(w8.grid_blocks, 12 * 8);
  EXPECT_EQ(w9.grid_blocks, 12 * 9);
  ASSERT_EQ(p9.blocks_per_sm, 1);
  EXPECT_DOUBLE_EQ(p9.waves, 1.0);
  EXPECT_DOUBLE_EQ(p9.active_sm_fraction, 1.0);
  EXPECT_NEAR(p8.active_sm_fraction, 96.0 / 108, 1e-12);
  EXPECT_NEAR(p16.waves, 192.0 / 108, 1e-12);
  // The table work does not depend on the split (each row block builds all of K once).
  EXPECT_DOUBLE_EQ(w9.smem_build_ops, w8.smem_build_ops);
  EXPECT_DOUBLE_EQ(w9.smem_lookups, w8.smem_lookups);
  EXPECT_NEAR(p9.smem_us, p8.smem_us * 96 / 108, 1e-9 * p8.smem_us);
  EXPECT_NEAR(p9.smem_us, p16.smem_us / (2 * 108.0 / 192), 1e-9 * p16.smem_us);
  EXPECT_LT(p9.total_us, std::min(p8.total_us, p16.total_us));
}

// A split that leaves runs of tiles empty: 10 tiles over 9 splits are 5 runs of 2, and the
// launch plan has 5 blocks along K, so the model counts 5, not 9 (nor the cap at the tiles).
TEST(Model, SplitCountsTheBlocksThatGetTiles) {
  const Problem p10{.m = 4096, .k = 320, .batch = 1, .bits = 3, .group = 64};
  LutParams p = default_lut_params(3, 1);
  p.k_tile = 32;
  p.split = 9;
  const auto w = lut_variant_workload(p10, p);
  const std::int64_t row_blocks =
      (4096 + p.threads * p.rows_per_thread - 1) / (std::int64_t(p.threads) * p.rows_per_thread);
  EXPECT_EQ(w.grid_blocks, row_blocks * 5);
  EXPECT_EQ(make_launch_plan(p10, p).launches[0].config.grid.y, 5u);
  // Per block the K of 2 tiles, as with split 5.
  p.split = 5;
  EXPECT_EQ(lut_variant_workload(p10, p).grid_blocks, w.grid_blocks);
  EXPECT_DOUBLE_EQ(lut_variant_workload(p10, p).dram_bytes, w.dram_bytes);
}
