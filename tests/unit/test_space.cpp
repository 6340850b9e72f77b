// The search-space engine with a toy family, and the static pre-filter.
#include "common/error.hpp"
#include "space/prefilter.hpp"
#include "space/search_space.hpp"

#include <gtest/gtest.h>

#include <random>
#include <set>

using namespace lutgemm;
using namespace lutgemm::space;

namespace {
SearchSpace toy_space() {
  SearchSpace space;
  space.family = "toy";
  space.add_parameter("rows", {std::int64_t{64}, std::int64_t{128}, std::int64_t{256}})
      .add_parameter("threads", {std::int64_t{64}, std::int64_t{128}})
      .add_parameter("accum", {std::string("fp32"), std::string("fp16")})
      .add_constraint("rows_multiple_of_threads",
                      [](const Variant& v, const Problem&) -> std::optional<std::string> {
                        if (v.get_int("rows") % v.get_int("threads") != 0)
                          return "rows is not a multiple of threads";
                        return std::nullopt;
                      })
      .add_constraint("rows_fit_m",
                      [](const Variant& v, const Problem& p) -> std::optional<std::string> {
                        if (v.get_int("rows") > p.m)
                          return "rows > M";
                        return std::nullopt;
                      });
  return space;
}
} // namespace

TEST(Space, EnumeratesInDeclarationOrderWithStableLabels) {
  auto space = toy_space();
  Problem problem{.m = 4096, .k = 4096};
  auto result = enumerate(space, problem, Rejections::kept);
  EXPECT_EQ(result.total, 12u);
  // 64 with threads 128 fails (2 accum values): 10 remain.
  EXPECT_EQ(result.accepted.size(), 10u);
  ASSERT_EQ(result.rejected.size(), 2u);
  EXPECT_EQ(result.rejected[0].rule, "rows_multiple_of_threads");
  EXPECT_EQ(result.rejected[0].variant.label(), "rows=64,threads=128,accum=fp32");
  EXPECT_EQ(result.accepted.front().label(), "rows=64,threads=64,accum=fp32");
  EXPECT_EQ(result.accepted.back().label(), "rows=256,threads=128,accum=fp16");
  std::set<std::string> labels;
  for (const auto& v : result.accepted)
    labels.insert(v.label());
  EXPECT_EQ(labels.size(), result.accepted.size());
  // The same declaration gives the same order every time; counting only keeps no rejection
  // but the same counts.
  auto again = enumerate(toy_space(), problem, Rejections::counted);
  ASSERT_EQ(again.accepted.size(), result.accepted.size());
  for (std::size_t i = 0; i < again.accepted.size(); ++i)
    EXPECT_EQ(again.accepted[i], result.accepted[i]);
  EXPECT_TRUE(again.rejected.empty());
  EXPECT_EQ(again.rejected_by_rule, result.rejected_by_rule);
  EXPECT_EQ(again.rejected_by_rule.at("constraint:rows_multiple_of_threads"), 2u);
}

TEST(Space, ConstraintsSeeTheProblem) {
  auto result = enumerate(toy_space(), Problem{.m = 100, .k = 4096}, Rejections::kept);
  for (const auto& v : result.accepted)
    EXPECT_LE(v.get_int("rows"), 100);
  bool saw_rows_rule = false;
  for (const auto& r : result.rejected)
    saw_rows_rule |= r.rule == "rows_fit_m" && r.reason == "rows > M";
  EXPECT_TRUE(saw_rows_rule);
}

TEST(Space, LabelRoundTripsAndJsonKeepsTypes) {
  Variant v({{"rows", std::int64_t{256}}, {"accum", std::string("fp16")}, {"mu", std::int64_t{8}}});
  EXPECT_EQ(Variant::from_label(v.label()), v);
  EXPECT_EQ(v.params_json(), R"({"rows":256,"accum":"fp16","mu":8})");
  EXPECT_THROW(v.get_int("accum"), RuntimeError);
  EXPECT_THROW(v.get("nope"), RuntimeError);
  EXPECT_THROW(Variant::from_label("rows"), UsageError);
}

TEST(Space, RestrictKeepsListedValuesAndRejectsUnknown) {
  auto space = toy_space();
  space.restrict("rows", {"128"});
  EXPECT_EQ(space.size(), 4u);
  EXPECT_THROW(space.restrict("rows", {"512"}), UsageError);
  EXPECT_THROW(space.restrict("tiles", {"1"}), UsageError);
}

namespace {
TargetLimits a100_like() {
  TargetLimits t;
  t.name = "test-a100";
  t.max_threads_per_sm = 2048;
  t.max_blocks_per_sm = 32;
  t.regs_per_sm = 65536;
  t.smem_per_sm = 164 * 1024;
  t.smem_per_block_optin = 163 * 1024;
  return t;
}
} // namespace

TEST(Prefilter, OccupancyMatchesHandArithmetic) {
  auto limits = a100_like();
  // 256 threads, 64 regs: 64*32 = 2048 regs per warp, 8 warps -> 16384 per block -> 4 blocks.
  ResourceUsage usage{.registers = 64, .threads_per_block = 256};
  auto occ = occupancy(usage, limits);
  EXPECT_EQ(occ.blocks_per_sm, 4);
  EXPECT_DOUBLE_EQ(occ.fraction, 0.5);
  EXPECT_EQ(occ.limited_by, "registers");
  // 33 regs round up to 40 per thread (1280 per warp, allocation unit 256).
  usage.registers = 33;
  EXPECT_EQ(occupancy(usage, limits).blocks_per_sm, 6);
  // Shared memory: 50 KiB per block -> 3 blocks in 164 KiB.
  usage = {.registers = 32, .dynamic_smem = 50 * 1024, .threads_per_block = 128};
  occ = occupancy(usage, limits);
  EXPECT_EQ(occ.blocks_per_sm, 3);
  EXPECT_EQ(occ.limited_by, "shared memory");
}

TEST(Prefilter, RejectsWithTheFirstFailingRule) {
  auto limits = a100_like();
  ResourceUsage ok{.registers = 40, .static_smem = 8192, .threads_per_block = 256};
  EXPECT_FALSE(prefilter(ok, limits).has_value());

  auto too_many_threads = ok;
  too_many_threads.threads_per_block = 2048;
  EXPECT_EQ(prefilter(too_many_threads, limits)->rule, "threads");

  auto too_many_regs = ok;
  too_many_regs.registers = 300;
  EXPECT_EQ(prefilter(too_many_regs, limits)->rule, "registers");

  auto static_smem = ok;
  static_smem.static_smem = 64 * 1024; // over 48 KiB without opt-in
  auto verdict = prefilter(static_smem, limits);
  ASSERT_TRUE(verdict);
  EXPECT_EQ(verdict->rule, "smem");
  EXPECT_NE(verdict->reason.find("test-a100"), std::string::npos);

  auto spills = ok;
  spills.spill_stores = 16;
  EXPECT_EQ(prefilter(spills, limits)->rule, "spills");
  EXPECT_FALSE(prefilter(spills, limits, {.allow_spills = true}).has_value());

  auto low = ok;
  low.threads_per_block = 32;
  low.registers = 255;         // 1 warp per block, 8 blocks -> 8 of 64 warps
  low.static_smem = 40 * 1024; // 4 blocks -> 4 warps = 6.25%
  EXPECT_EQ(prefilter(low, limits)->rule, "occupancy");
}

TEST(Prefilter, RandomUsagesAgreeWithABruteForceCount) {
  auto limits = a100_like();
  std::mt19937 rng(11);
  for (int trial = 0; trial < 500; ++trial) {
    ResourceUsage u;
    u.threads_per_block = 32 * static_cast<int>(1 + rng() % 32);
    u.registers = static_cast<int>(16 + rng() % 200);
    u.static_smem = static_cast<std::int64_t>(rng() % (60 * 1024));
    // Brute force: add blocks until one resource runs out.
    int blocks = 0;
    auto regs_per_warp = ((u.registers * 32 + 255) / 256) * 256;
    while (true) {
      int next = blocks + 1;
      if (next * u.threads_per_block > limits.max_threads_per_sm ||
          next > limits.max_blocks_per_sm ||
          next * (u.threads_per_block / 32) * regs_per_warp > limits.regs_per_sm ||
          next * u.static_smem > limits.smem_per_sm)
        break;
      blocks = next;
    }
    EXPECT_EQ(occupancy(u, limits).blocks_per_sm, blocks) << trial;
  }
}
