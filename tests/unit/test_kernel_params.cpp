// Host-side descriptions of the kernel families (tuner/kernels/): labels round-trip, check()
// rejects what the kernels cannot run (with a reason) and accepts the rest, and the launch plans
// have the grid, block, shared memory and launch list each combine mode needs.
#include "common/error.hpp"
#include "kernels/lut_params.hpp"
#include "kernels/lut_registers.hpp"
#include "kernels/optq_params.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <tuple>

using namespace lutgemm;

namespace {

Problem problem(std::int64_t m, std::int64_t k, int batch, int bits, int group,
                bool offset = true) {
  return Problem{
      .m = m, .k = k, .batch = batch, .bits = bits, .group = group, .has_offset = offset};
}

// A random parameter set drawn from the declared knob values (so check() decides, not the draw).
LutParams random_lut_params(std::mt19937& rng) {
  KnobValues values;
  for (const auto& knob : lut_knobs())
    values[knob.name] = knob.values[rng() % knob.values.size()];
  return lut_params_from_values(values);
}

std::string reason_of(const Problem& p, const LutParams& params) {
  auto reason = check(p, params);
  EXPECT_TRUE(reason.has_value()) << lut_label(p, params) << " was accepted";
  return reason.value_or("");
}

std::vector<std::string> launch_names(const LaunchPlan& plan) {
  std::vector<std::string> names;
  for (const auto& launch : plan.launches)
    names.push_back(launch.spec.name_expression);
  return names;
}

} // namespace

TEST(LutParams, LabelRoundTripsForRandomParameters) {
  std::mt19937 rng(12345);
  const Problem problems[] = {problem(4096, 4096, 1, 3, 128), problem(4096, 4096, 8, 8, kRowWise),
                              problem(1000, 2048, 3, 1, 32, false)};
  for (int i = 0; i < 300; ++i) {
    const LutParams params = random_lut_params(rng);
    const Problem& p = problems[i % 3];
    const std::string label = lut_label(p, params);
    EXPECT_EQ(lut_params_from_label(label), params) << label;
    // The knob part alone parses too.
    const auto mu = label.find("_mu");
    ASSERT_NE(mu, std::string::npos) << label;
    EXPECT_EQ(lut_params_from_label(label.substr(mu + 1)), params) << label;
    EXPECT_EQ(lut_params_from_values(to_values(params)), params);
  }
}

TEST(LutParams, LabelHasTheDocumentedForm) {
  LutParams params;
  params.split = 4;
  params.combine = Combine::reduce;
  EXPECT_EQ(lut_label(problem(4096, 4096, 1, 3, 128), params),
            "lut_q3_g128_mu8_r4_t256_kt128_ld128_f32_half_b1_split4_reduce");
  params.split = 1;
  params.combine = Combine::none;
  EXPECT_EQ(lut_label(problem(4096, 4096, 1, 2, kRowWise, false), params),
            "lut_q2_grow_noz_mu8_r4_t256_kt128_ld128_f32_half_b1_split1");
}

TEST(LutParams, MalformedLabelsAndValuesAreUsageErrors) {
  EXPECT_THROW(lut_params_from_label("lut_q3_g128_mu8_r4"), UsageError);
  EXPECT_THROW(lut_params_from_label("lut_q3_g128_mu8_r4_t256_kt128_ld128_f32_half_b1_split4_"
                                     "reduce_extra"),
               UsageError);
  EXPECT_THROW(lut_params_from_label("lut_q3_g128_mu6_r4_t256_kt128_ld128_f32_half_b1_split1"),
               UsageError);
  EXPECT_THROW(lut_params_from_label("lut_q3_g128_mu8_r4_t256_kt128_ld128_f64_half_b1_split1"),
               UsageError);
  EXPECT_THROW(lut_params_from_label("lut_q3_g128_mu8_x4_t256_kt128_ld128_f32_half_b1_split1"),
               UsageError);
  KnobValues values = to_values(LutParams{});
  values["threads"] = "96";
  EXPECT_THROW(lut_params_from_values(values), UsageError);
  values = to_values(LutParams{});
  values["colour"] = "red";
  EXPECT_THROW(lut_params_from_values(values), UsageError);
  values = to_values(LutParams{});
  values.erase("mu");
  EXPECT_THROW(lut_params_from_values(values), UsageError);
}

TEST(LutParams, SharedMemoryFollowsTheTableFormula) {
  LutParams params; // mu 8, half, f32, kt 128, b1
  // 16 sub-vectors x 128 entries x 4 bytes + 128 activations x 4 bytes
  EXPECT_EQ(lut_smem_bytes(params), 16 * 128 * 4 + 128 * 4);
  params.table = TableKind::full;
  params.accum = Accum::f16;
  params.batch_cols = 2;
  EXPECT_EQ(lut_smem_bytes(params), 2 * 16 * 256 * 2 + 2 * 128 * 4);
  params.mu = 4;
  params.k_tile = 32;
  params.table = TableKind::half;
  params.batch_cols = 1;
  // 8 sub-vectors x 8 entries x 2 bytes = 128, already a multiple of 4
  EXPECT_EQ(lut_smem_bytes(params), 8 * 8 * 2 + 32 * 4);
}

TEST(LutParams, CheckRejectsWhatTheKernelCannotRunWithAReason) {
  const Problem ok = problem(4096, 4096, 1, 3, 128);
  LutParams params;
  EXPECT_EQ(check(ok, params), std::nullopt);

  EXPECT_NE(reason_of(problem(4096, 4100, 1, 3, kRowWise), params).find("multiple of 32"),
            std::string::npos);
  EXPECT_NE(reason_of(problem(4096, 4096 + 32 * 3, 1, 3, 128), params).find("does not divide"),
            std::string::npos);
  EXPECT_NE(reason_of(problem(4096, 4096, 1, 3, 48), params).find("multiple of 32"),
            std::string::npos);
  EXPECT_NE(reason_of(problem(4096, 4096, 1, 9, 128), params).find("bits"), std::string::npos);
  EXPECT_NE(reason_of(problem(4096, 4096, 33, 3, 128), params).find("batch"), std::string::npos);
  EXPECT_NE(reason_of(problem(0, 4096, 1, 3, 128), params).find("M"), std::string::npos);

  LutParams narrow = params;
  narrow.rows_per_thread = 2; // a 128-bit load covers 4 rows
  EXPECT_NE(reason_of(ok, narrow).find("rows_per_thread 2"), std::string::npos);
  narrow.load_bits = 64;
  EXPECT_EQ(check(ok, narrow), std::nullopt);
  narrow.rows_per_thread = 1;
  EXPECT_NE(reason_of(ok, narrow).find("64-bit load"), std::string::npos);

  LutParams combine = params;
  combine.combine = Combine::atomic; // split 1
  EXPECT_NE(reason_of(ok, combine).find("needs no combine"), std::string::npos);
  combine.split = 4;
  combine.combine = Combine::none;
  EXPECT_NE(reason_of(ok, combine).find("needs a combine"), std::string::npos);
  combine.combine = Combine::reduce;
  EXPECT_EQ(check(ok, combine), std::nullopt);

  LutParams big = params; // full fp32 mu-8 tables for 8 columns of a 256 tile: far over 48 KB
  big.table = TableKind::full;
  big.k_tile = 256;
  big.batch_cols = 8;
  big.rows_per_thread = 4;
  EXPECT_NE(reason_of(problem(4096, 4096, 8, 3, 128), big).find("shared memory"),
            std::string::npos);

  LutParams wide = params; // 8 columns for a batch of 1
  wide.batch_cols = 8;
  wide.mu = 4;
  EXPECT_NE(reason_of(ok, wide).find("batch_cols 8"), std::string::npos);
  EXPECT_EQ(check(problem(4096, 4096, 5, 3, 128), wide), std::nullopt);

  LutParams many = params; // 8 columns x 8 rows = 64 accumulators
  many.mu = 4;
  many.batch_cols = 8;
  many.rows_per_thread = 8;
  EXPECT_NE(reason_of(problem(4096, 4096, 8, 3, 128), many).find("accumulators"),
            std::string::npos);

  LutParams odd = params; // a value outside the declared lists
  odd.threads = 96;
  EXPECT_NE(reason_of(ok, odd).find("threads"), std::string::npos);
  EXPECT_THROW(make_launch_plan(ok, odd), UsageError);
}

// Every combination the search space can draw is either rejected with a reason or satisfies the
// kernel's static_asserts and fits the launch limits.
TEST(LutParams, AcceptedCombinationsSatisfyTheKernelsRequirements) {
  std::mt19937 rng(777);
  int accepted = 0;
  for (int i = 0; i < 4000; ++i) {
    const LutParams params = random_lut_params(rng);
    const int batch = 1 + static_cast<int>(rng() % 32);
    const Problem p = problem(1 + rng() % 5000, 32 * (1 + rng() % 200), batch, 1 + rng() % 8,
                              kRowWise, rng() % 2 == 0);
    const auto reason = check(p, params);
    if (reason) {
      EXPECT_FALSE(reason->empty());
      EXPECT_THROW(make_launch_plan(p, params), UsageError);
      continue;
    }
    ++accepted;
    EXPECT_EQ(params.rows_per_thread % (params.load_bits / 32), 0) << lut_label(p, params);
    EXPECT_LE(params.batch_cols * params.rows_per_thread, max_accumulators(params.accum));
    EXPECT_LE(lut_smem_bytes(params), kLutMaxSmemBytes);
    EXPECT_EQ(params.split == 1, params.combine == Combine::none);
    const LaunchPlan plan = make_launch_plan(p, params);
    for (const auto& launch : plan.launches) {
      EXPECT_GE(launch.config.grid.x, 1u);
      EXPECT_GE(launch.config.grid.y, 1u);
      EXPECT_GE(launch.config.grid.z, 1u);
      EXPECT_LE(launch.config.grid.y, 65535u);
      EXPECT_LE(launch.config.grid.z, 65535u);
      EXPECT_LE(launch.config.block.x, 1024u);
    }
  }
  EXPECT_GT(accepted, 300); // the draw is not degenerate
}

TEST(LutParams, DefaultsAreValidForEveryBitsAndBatch) {
  for (int bits = 1; bits <= 8; ++bits)
    for (int batch = 1; batch <= 32; ++batch)
      for (int group : {32, 128, kRowWise}) {
        const Problem p = problem(12288, 4096, batch, bits, group);
        const LutParams params = default_lut_params(bits, batch);
        EXPECT_EQ(check(p, params), std::nullopt) << lut_label(p, params);
        EXPECT_EQ(params.load_bits, 128); // the default reads weights 128 bits at a time
      }
}

TEST(LutParams, PlanWithoutSplitIsOneLaunch) {
  const Problem p = problem(1000, 1024, 3, 4, 64, false);
  LutParams params;
  params.rows_per_thread = 4;
  params.threads = 128;
  params.batch_cols = 2;
  const LaunchPlan plan = make_launch_plan(p, params);
  ASSERT_EQ(plan.launches.size(), 1u);
  EXPECT_EQ(plan.workspace_bytes, 0);
  const KernelLaunch& main = plan.launches[0];
  EXPECT_EQ(main.spec, lut_kernel_spec(p, params));
  EXPECT_EQ(main.spec.source, "kernels/lutgemm.cuh");
  EXPECT_EQ(main.spec.name_expression,
            "lutgemm::lutgemm_kernel<4, 64, false, 8, 4, 128, 128, 128, true, true, 2, 0>");
  // m_stride 1000 (already a multiple of 8) / 512 rows per block = 2; 2 column blocks for b = 3.
  EXPECT_EQ(main.config.grid, (Dim3{2, 1, 2}));
  EXPECT_EQ(main.config.block, (Dim3{128, 1, 1}));
  EXPECT_EQ(main.config.dynamic_smem_bytes, lut_smem_bytes(params));
  ASSERT_EQ(main.args.size(), 9u);
  const char* buffers[] = {"bit_words", "alpha", "alpha",
                           "x",         "y",     "y"}; // no offsets, no workspace
  for (int i = 0; i < 6; ++i) {
    EXPECT_EQ(main.args[i].kind, KernelArg::Kind::buffer);
    EXPECT_EQ(main.args[i].buffer, buffers[i]) << i;
  }
  EXPECT_EQ(main.args[6].int_value, 1000);
  EXPECT_EQ(main.args[7].int_value, 1024);
  EXPECT_EQ(main.args[8].int_value, 3);
}

TEST(LutParams, RowPaddingCountsInTheGrid) {
  // m = 1025 pads to 1032 rows: 1032 / (256 x 4) needs 2 blocks.
  LutParams params;
  const LaunchPlan plan = make_launch_plan(problem(1025, 512, 1, 3, 128), params);
  EXPECT_EQ(plan.launches[0].config.grid.x, 2u);
  const LaunchPlan exact = make_launch_plan(problem(1024, 512, 1, 3, 128), params);
  EXPECT_EQ(exact.launches[0].config.grid.x, 1u);
}

TEST(LutParams, AtomicPlanZeroesThenConverts) {
  const Problem p = problem(300, 2048, 5, 3, 128);
  LutParams params;
  params.split = 4;
  params.combine = Combine::atomic;
  params.batch_cols = 4;
  const LaunchPlan plan = make_launch_plan(p, params);
  EXPECT_EQ(launch_names(plan),
            (std::vector<std::string>{"lutgemm::zero_f32_kernel",
                                      lut_kernel_spec(p, params).name_expression,
                                      "lutgemm::f32_to_f16_kernel"}));
  EXPECT_EQ(plan.workspace_bytes, 5 * 300 * 4);
  EXPECT_EQ(plan.launches[1].config.grid, (Dim3{1, 4, 2}));
  EXPECT_EQ(plan.launches[1].args[2].buffer, "offset");
  EXPECT_EQ(plan.launches[1].args[5].buffer, "workspace");
  EXPECT_EQ(plan.launches[0].args[0].buffer, "workspace");
  EXPECT_EQ(plan.launches[0].args[1].int_value, 5 * 300);
  EXPECT_EQ(plan.launches[2].args[0].buffer, "workspace");
  EXPECT_EQ(plan.launches[2].args[1].buffer, "y");
  EXPECT_EQ(plan.launches[2].args[2].int_value, 5 * 300);
  // The helpers cover all outputs with a grid-stride loop.
  for (int i : {0, 2})
    EXPECT_GE(std::int64_t(plan.launches[i].config.grid.x) * plan.launches[i].config.block.x,
              std::min<std::int64_t>(5 * 300, 4096 * 256));
}

TEST(LutParams, ReducePlanHasOneSliceperSplitAndCapsSplitsAtTiles) {
  const Problem p = problem(300, 256, 2, 3, 128); // 2 tiles of 128
  LutParams params = default_lut_params(3, 2);    // split 16, reduce
  ASSERT_EQ(params.combine, Combine::reduce);
  ASSERT_EQ(params.split, 16);
  const LaunchPlan plan = make_launch_plan(p, params);
  EXPECT_EQ(launch_names(plan),
            (std::vector<std::string>{lut_kernel_spec(p, params).name_expression,
                                      "lutgemm::reduce_split_kernel"}));
  EXPECT_EQ(plan.launches[0].config.grid.y, 2u);
  EXPECT_EQ(plan.workspace_bytes, 2 * 300 * 4 * 2);
  ASSERT_EQ(plan.launches[1].args.size(), 4u);
  EXPECT_EQ(plan.launches[1].args[2].int_value, 2 * 300);
  EXPECT_EQ(plan.launches[1].args[3].int_value, 2);
  // A long K keeps all 16 splits.
  const LaunchPlan long_k = make_launch_plan(problem(300, 8192, 2, 3, 128), params);
  EXPECT_EQ(long_k.launches[0].config.grid.y, 16u);
  EXPECT_EQ(long_k.workspace_bytes, 2 * 300 * 4 * 16);
  EXPECT_EQ(long_k.launches[1].args[3].int_value, 16);
}

// Splits that are not powers of two (3, 6, 9, 11, 12: whole waves on common SM counts) are in
// the space, and the plan launches one block per run of ceil(tiles / split) tiles: never an
// empty block, and the runs the kernel derives from gridDim.y are the ones `split` asked for.
TEST(LutParams, NonPowerOfTwoSplitsLaunchOneBlockPerRunOfTiles) {
  const auto& knobs = lut_knobs();
  const auto split =
      std::find_if(knobs.begin(), knobs.end(), [](const Knob& k) { return k.name == "split"; });
  ASSERT_NE(split, knobs.end());
  for (const char* value : {"3", "6", "9", "11", "12"})
    EXPECT_NE(std::find(split->values.begin(), split->values.end(), value), split->values.end())
        << value;

  auto runs = [](std::int64_t tiles, std::int64_t blocks) {
    const std::int64_t per = (tiles + blocks - 1) / blocks; // the kernel's per_split
    std::vector<std::int64_t> lengths;
    for (std::int64_t b = 0; b < blocks; ++b)
      lengths.push_back(std::max<std::int64_t>(0, std::min(tiles, (b + 1) * per) - b * per));
    return lengths;
  };
  for (std::int64_t tiles = 1; tiles <= 200; ++tiles)
    for (int s = 1; s <= 40; ++s) {
      const int blocks = effective_splits(tiles * 32, 32, s);
      const auto asked = runs(tiles, std::min<std::int64_t>(s, tiles));
      auto nonempty = asked;
      nonempty.erase(std::remove(nonempty.begin(), nonempty.end(), 0), nonempty.end());
      EXPECT_EQ(runs(tiles, blocks), nonempty) << tiles << " tiles, split " << s;
    }

  // 10 tiles of 64 (K = 640; at K = 608 the last one is half a tile): split 9 is 5 runs of 2,
  // split 3 is 4 + 4 + 2, split 11 (more than the tiles) is 10 runs of 1.
  LutParams params = default_lut_params(3, 1);
  params.k_tile = 64;
  for (const auto& [k, s, blocks] : std::vector<std::tuple<int, int, unsigned>>{
           {640, 9, 5}, {608, 9, 5}, {640, 3, 3}, {640, 11, 10}, {640, 6, 5}, {608, 12, 10}}) {
    params.split = s;
    for (Combine combine : {Combine::atomic, Combine::reduce}) {
      params.combine = combine;
      const Problem p = problem(300, k, 2, 3, 32);
      ASSERT_EQ(check(p, params), std::nullopt) << lut_label(p, params);
      const LaunchPlan plan = make_launch_plan(p, params);
      const auto& main = plan.launches[combine == Combine::atomic ? 1 : 0];
      EXPECT_EQ(main.config.grid.y, blocks) << lut_label(p, params);
      EXPECT_EQ(plan.workspace_bytes,
                combine == Combine::atomic ? 2 * 300 * 4 : std::int64_t(2) * 300 * 4 * blocks);
      if (combine == Combine::reduce) {
        EXPECT_EQ(plan.launches[1].args[3].int_value, std::int32_t(blocks));
      }
    }
  }
}

TEST(LutParams, KernelSpecCarriesEveryParameter) {
  LutParams params;
  params.mu = 4;
  params.rows_per_thread = 2;
  params.threads = 64;
  params.k_tile = 32;
  params.load_bits = 64;
  params.accum = Accum::f16;
  params.table = TableKind::full;
  params.batch_cols = 4;
  params.split = 2;
  params.combine = Combine::atomic;
  EXPECT_EQ(lut_kernel_spec(problem(100, 256, 4, 7, kRowWise), params).name_expression,
            "lutgemm::lutgemm_kernel<7, 0, true, 4, 2, 64, 32, 64, false, false, 4, 1>");
}

TEST(OptqParams, LabelsAndValues) {
  const Problem p = problem(4096, 4096, 1, 3, 128);
  OptqParams gemv = default_optq_params(OptqKind::gemv, 3, 1);
  EXPECT_EQ(optq_label(p, gemv), "optq_gemv_q3_g128_t256_kt128_b1_split8_reduce");
  EXPECT_EQ(
      optq_label(problem(4096, 4096, 1, 4, kRowWise), default_optq_params(OptqKind::dequant, 4, 1)),
      "optq_dequant_q4_grow_t256");
  std::mt19937 rng(99);
  for (int i = 0; i < 200; ++i) {
    KnobValues values;
    for (const auto& knob : optq_knobs())
      values[knob.name] = knob.values[rng() % knob.values.size()];
    const OptqParams params = optq_params_from_values(values);
    EXPECT_EQ(to_values(params), values);
    EXPECT_EQ(optq_params_from_values(to_values(params)), params);
  }
  KnobValues bad = to_values(gemv);
  bad["kind"] = "fused";
  EXPECT_THROW(optq_params_from_values(bad), UsageError);
  bad = to_values(gemv);
  bad["k_tile"] = "48";
  EXPECT_THROW(optq_params_from_values(bad), UsageError);
}

TEST(OptqParams, CheckRejectsWithAReason) {
  OptqParams gemv = default_optq_params(OptqKind::gemv, 4, 1);
  EXPECT_EQ(check(problem(4096, 4096, 1, 4, 128), gemv), std::nullopt);
  auto reason = check(problem(4096, 4096, 1, 1, 128), gemv);
  ASSERT_TRUE(reason);
  EXPECT_NE(reason->find("at least 2 bits"), std::string::npos);
  reason = check(problem(4096, 4100, 1, 4, kRowWise), gemv);
  ASSERT_TRUE(reason);
  EXPECT_NE(reason->find("multiple of 32"), std::string::npos);
  OptqParams split = gemv;
  split.combine = Combine::none;
  reason = check(problem(4096, 4096, 1, 4, 128), split);
  ASSERT_TRUE(reason);
  EXPECT_NE(reason->find("needs a combine"), std::string::npos);
  split.split = 1;
  EXPECT_EQ(check(problem(4096, 4096, 1, 4, 128), split), std::nullopt);
  split.combine = Combine::atomic;
  reason = check(problem(4096, 4096, 1, 4, 128), split);
  ASSERT_TRUE(reason);
  EXPECT_NE(reason->find("needs no combine"), std::string::npos);
  OptqParams wide = gemv;
  wide.batch_cols = 8;
  reason = check(problem(4096, 4096, 2, 4, 128), wide);
  ASSERT_TRUE(reason);
  EXPECT_NE(reason->find("batch_cols 8"), std::string::npos);
  EXPECT_THROW(make_launch_plan(problem(4096, 4096, 2, 4, 128), wide), UsageError);
  for (int bits = 2; bits <= 8; ++bits)
    for (int batch = 1; batch <= 32; ++batch)
      for (auto kind : {OptqKind::dequant, OptqKind::gemv})
        EXPECT_EQ(
            check(problem(4096, 4096, batch, bits, 128), default_optq_params(kind, bits, batch)),
            std::nullopt);
}

TEST(OptqParams, DequantPlanIsOneLaunchPerRowBlockAndChunk) {
  const Problem p = problem(1000, 512, 1, 3, 64);
  OptqParams params = default_optq_params(OptqKind::dequant, 3, 1);
  params.threads = 128;
  const LaunchPlan plan = make_launch_plan(p, params);
  ASSERT_EQ(plan.launches.size(), 1u);
  EXPECT_EQ(plan.workspace_bytes, 0);
  const KernelLaunch& launch = plan.launches[0];
  EXPECT_EQ(launch.spec.source, "kernels/optq.cuh");
  EXPECT_EQ(launch.spec.name_expression, "lutgemm::optq_dequant_kernel<3, 64, 128>");
  EXPECT_EQ(launch.config.grid, (Dim3{8, 16, 1})); // ceil(1000 / 128), 512 / 32
  EXPECT_EQ(launch.config.block, (Dim3{128, 1, 1}));
  EXPECT_EQ(launch.config.dynamic_smem_bytes, 0u);
  ASSERT_EQ(launch.args.size(), 6u);
  EXPECT_EQ(launch.args[3].buffer, "w_fp16");
  EXPECT_EQ(launch.args[4].int_value, 1000);
  EXPECT_EQ(launch.args[5].int_value, 512);
}

TEST(OptqParams, GemvPlansPerCombineMode) {
  const Problem p = problem(700, 1024, 6, 4, 128);
  OptqParams params;
  params.kind = OptqKind::gemv;
  params.threads = 256;
  params.k_tile = 64;
  params.batch_cols = 4;
  params.split = 1;
  params.combine = Combine::none;
  LaunchPlan plan = make_launch_plan(p, params);
  ASSERT_EQ(plan.launches.size(), 1u);
  EXPECT_EQ(plan.launches[0].spec.name_expression,
            "lutgemm::optq_gemv_kernel<4, 128, 256, 64, 4, 0>");
  EXPECT_EQ(plan.launches[0].config.grid, (Dim3{3, 1, 2}));
  EXPECT_EQ(plan.launches[0].config.dynamic_smem_bytes, 4u * 64 * 4 + 4u * 2 * 4);
  EXPECT_EQ(plan.launches[0].args[5].buffer, "y");

  params.split = 4;
  params.combine = Combine::atomic;
  plan = make_launch_plan(p, params);
  EXPECT_EQ(launch_names(plan),
            (std::vector<std::string>{"lutgemm::zero_f32_kernel",
                                      "lutgemm::optq_gemv_kernel<4, 128, 256, 64, 4, 1>",
                                      "lutgemm::f32_to_f16_kernel"}));
  EXPECT_EQ(plan.workspace_bytes, 6 * 700 * 4);
  EXPECT_EQ(plan.launches[1].config.grid, (Dim3{3, 4, 2}));
  EXPECT_EQ(plan.launches[1].args[5].buffer, "workspace");

  params.split = 16; // 16 tiles of 64: all kept
  params.combine = Combine::reduce;
  plan = make_launch_plan(p, params);
  EXPECT_EQ(launch_names(plan),
            (std::vector<std::string>{"lutgemm::optq_gemv_kernel<4, 128, 256, 64, 4, 2>",
                                      "lutgemm::reduce_split_kernel"}));
  EXPECT_EQ(plan.workspace_bytes, 6 * 700 * 4 * 16);
  EXPECT_EQ(plan.launches[1].args[3].int_value, 16);
  params.k_tile = 256; // 4 tiles: the split is capped
  plan = make_launch_plan(p, params);
  EXPECT_EQ(plan.launches[0].config.grid.y, 4u);
  EXPECT_EQ(plan.workspace_bytes, 6 * 700 * 4 * 4);
  EXPECT_EQ(plan.launches[1].args[3].int_value, 4);
}

// Kernel v2 knobs (table copies, split build): labels of earlier variants stand, new labels
// round-trip, the kernel name gains the two template arguments only when they are not the
// defaults, and shared memory counts every copy and the partial sums.
TEST(LutParams, KernelV2KnobsLabelsNamesAndSharedMemory) {
  const Problem p = problem(1000, 1024, 1, 3, 128, true);
  LutParams params = default_lut_params(3, 1);
  const std::string old_label = lut_label(p, params);
  EXPECT_EQ(old_label.find("_c"), std::string::npos) << old_label;
  EXPECT_EQ(lut_params_from_label(old_label), params);
  const std::string old_name = lut_kernel_spec(p, params).name_expression;
  EXPECT_EQ(std::count(old_name.begin(), old_name.end(), ','), 11) << old_name;
  const std::int64_t old_smem = lut_smem_bytes(params);

  params.mu = 4;
  params.copies = 8;
  params.build = TableBuild::split;
  const std::string label = lut_label(p, params);
  EXPECT_NE(label.find("_reduce_c8_bsplit"), std::string::npos) << label;
  EXPECT_EQ(lut_params_from_label(label), params);
  EXPECT_EQ(lut_params_from_values(to_values(params)), params);
  const std::string name = lut_kernel_spec(p, params).name_expression;
  EXPECT_NE(name.find(", 8, true, false>"), std::string::npos) << name;

  // mu 4 half fp32 tables: 32 sub-vectors x 8 entries x 8 copies x 4 bytes, the 128-float x tile,
  // and 32 sub-vectors x 2 halves x 4 partial sums x 4 bytes.
  EXPECT_EQ(lut_smem_bytes(params), 32 * 8 * 8 * 4 + 128 * 4 + 32 * 2 * 4 * 4);
  params.mu = 8;
  params.copies = 1;
  params.build = TableBuild::direct;
  EXPECT_EQ(lut_smem_bytes(params), old_smem);
  // Copies past the largest opt-in (227 KiB) are refused up front with the reason; 48 KiB..227 KiB
  // is the pre-filter's per-target question.
  params.copies = 32;
  EXPECT_GT(lut_smem_bytes(params), kLutMaxSmemBytes);
  const auto reason = check(p, params);
  ASSERT_TRUE(reason.has_value());
  EXPECT_NE(reason->find("shared memory"), std::string::npos) << *reason;
  EXPECT_THROW(build_from_string("fast"), UsageError);

  // Pair tables: accum h2 needs an even number of columns; fp32 accumulators in the kernel name.
  LutParams pairs = default_lut_params(3, 4);
  pairs.accum = Accum::h2;
  pairs.batch_cols = 4;
  const Problem b4 = problem(1000, 1024, 4, 3, 128, true);
  EXPECT_EQ(check(b4, pairs), std::nullopt);
  EXPECT_EQ(lut_params_from_label(lut_label(b4, pairs)), pairs);
  EXPECT_NE(lut_label(b4, pairs).find("_h2_"), std::string::npos);
  const std::string pair_name = lut_kernel_spec(b4, pairs).name_expression;
  EXPECT_NE(pair_name.find(", true, 4, 2, 1, false, true>"), std::string::npos) << pair_name;
  pairs.batch_cols = 1;
  ASSERT_TRUE(check(problem(1000, 1024, 1, 3, 128, true), pairs).has_value());
}

// accum h4h / h8h: packed pair tables with __half2 accumulators (the kernel's AccF32 = false with
// PairTables): 64 accumulator values per thread instead of 32, so 8 rows x 8 columns pass.
TEST(LutParams, HalfTwoAccumulatorsAllowTwiceTheRows) {
  const Problem b8 = problem(49152, 12288, 8, 4, 128, true);
  LutParams h8 = default_lut_params(4, 8);
  h8.mu = 8;
  h8.k_tile = 32;
  h8.accum = Accum::h8;
  h8.batch_cols = 8;
  h8.rows_per_thread = 8;
  h8.copies = 8;
  const auto spill = check(b8, h8);
  ASSERT_TRUE(spill.has_value());
  EXPECT_NE(spill->find("> 32 accumulators"), std::string::npos) << *spill;
  LutParams h8h = h8;
  h8h.accum = Accum::h8h;
  EXPECT_EQ(check(b8, h8h), std::nullopt);
  EXPECT_TRUE(half2_accumulators(h8h.accum));
  EXPECT_FALSE(half2_accumulators(h8.accum));
  EXPECT_EQ(entry_columns(Accum::h4h), 4);
  EXPECT_EQ(entry_columns(Accum::h8h), 8);
  EXPECT_TRUE(rounds_sums_to_fp16(Accum::h8h));
  EXPECT_NE(lut_label(b8, h8h).find("_h8h_"), std::string::npos);
  EXPECT_EQ(lut_params_from_label(lut_label(b8, h8h)), h8h);
  // AccF32 = false, PairTables = true, Pack = 4.
  const std::string name = lut_kernel_spec(b8, h8h).name_expression;
  EXPECT_NE(name.find(", 128, false, true, 8, 2, 8, false, true, 4>"), std::string::npos) << name;
  EXPECT_NE(lut_kernel_spec(b8, h8).name_expression.find(", 128, true, true, 8, 2,"),
            std::string::npos);
  h8h.rows_per_thread = 16;
  EXPECT_TRUE(check(b8, h8h).has_value()); // not a declared value
  // __half2 accumulators count half in the register estimate; packed variants' cap is 128.
  h8h.rows_per_thread = 8;
  h8.rows_per_thread = 4;
  h8h.threads = h8.threads = 256;
  EXPECT_LE(estimate_lut_registers(h8h), 128);
  LutParams h8h_r4 = h8h;
  h8h_r4.rows_per_thread = 4;
  EXPECT_LT(estimate_lut_registers(h8h_r4), estimate_lut_registers(h8));
  // The split build of pair tables keeps its partial sums as fp16 entries: 2 bytes per column.
  h8h.build = TableBuild::split;
  EXPECT_EQ(lut_smem_bytes(h8h), 8 * 4 * 128 * 8 * 2 + 8 * 32 * 4 + 8 * 4 * 2 * 16 * 2);
}

// The pre-compile register estimate grows with the accumulators and partial sums, stays within
// what __launch_bounds__ allows, and never goes below ptxas's observed 32.
TEST(LutRegisters, EstimateFollowsAccumulatorsAndLaunchBounds) {
  LutParams small = default_lut_params(3, 1);
  small.rows_per_thread = 1;
  small.batch_cols = 1;
  EXPECT_EQ(estimate_lut_registers(small), 32);
  LutParams wide = small;
  wide.mu = 4;
  wide.rows_per_thread = 4;
  wide.batch_cols = 8;
  const int f32 = estimate_lut_registers(wide);
  EXPECT_GT(f32, 100); // ptxas: 123 on sm_80
  wide.accum = Accum::h2;
  EXPECT_LT(estimate_lut_registers(wide), f32); // half the partial sums
  wide.threads = 512;
  wide.accum = Accum::f32;
  EXPECT_EQ(lut_register_cap(512), 128);
  EXPECT_LE(estimate_lut_registers(wide), 128);
  EXPECT_EQ(lut_register_cap(64), 255);
}
