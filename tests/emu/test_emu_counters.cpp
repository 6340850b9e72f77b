// The emulator's hardware counters (tuner/emu/counters.hpp) against counts known by construction:
// bank conflicts of strided, broadcast and vector shared loads, sectors of coalesced and strided
// global loads, and the LUT-GEMM kernel's table lookups on all-zero keys (a broadcast).
#include "emu_test_util.hpp"

#include "common/half.hpp"
#include "emu/counter_names.hpp"
#include "emu/counters.hpp"
#include "kernels/lut_params.hpp"
#include "quant/generate.hpp"
#include "quant/packed_bcq.hpp"

#include <random>

using namespace emu_test;
using lutgemm::emu::DeviceBuffer;
using lutgemm::emu::LaunchCounters;
using lutgemm::emu::LaunchOptions;
using lutgemm::emu::load_kernel;
using lutgemm::emu::MemoryCounters;
using lutgemm::emu::detail::LaneAccess;
using lutgemm::emu::detail::shared_request_cost;

namespace {

LaunchCounters probe(int mode, int stride, bool isolate = false) {
  const auto in = random_floats(32 * 32, 3);
  DeviceBuffer d_in = to_device(in), d_out(32 * sizeof(float));
  auto kernel =
      load_kernel(spec("tests/emu/kernels/emu_counters.cuh", "emu_counters::probe_kernel"));
  void* p[] = {d_in.data(), d_out.data()};
  void* args[] = {&p[0], &p[1], &mode, &stride};
  LaunchCounters counters;
  LaunchOptions options;
  options.counters = &counters;
  options.isolate = isolate;
  lutgemm::emu::launch(*kernel, config({1, 1, 1}, {32, 1, 1}), args, options);
  return counters;
}

std::vector<LaneAccess> lanes(unsigned bytes, std::uintptr_t (*address)(unsigned lane)) {
  std::vector<LaneAccess> v;
  for (unsigned l = 0; l < 32; ++l)
    v.push_back({l, address(l), bytes});
  return v;
}

} // namespace

TEST(EmuCounters, SharedRequestCostRules) {
  EXPECT_EQ(shared_request_cost(lanes(4, [](unsigned l) { return std::uintptr_t(4 * l); })).units,
            1u);
  EXPECT_EQ(shared_request_cost(lanes(4, [](unsigned l) { return std::uintptr_t(8 * l); })).units,
            2u);
  EXPECT_EQ(shared_request_cost(lanes(4, [](unsigned l) { return std::uintptr_t(128 * l); })).units,
            32u);
  EXPECT_EQ(shared_request_cost(lanes(4, [](unsigned) { return std::uintptr_t(20); })).units, 1u);
  // Two lanes on the two halves of one word share it (2-byte lookups of an fp16 table).
  EXPECT_EQ(shared_request_cost(lanes(2, [](unsigned l) { return std::uintptr_t(2 * l); })).units,
            1u);
  const auto v8 = shared_request_cost(lanes(8, [](unsigned l) { return std::uintptr_t(8 * l); }));
  EXPECT_EQ(v8.units, 2u);
  EXPECT_EQ(v8.ideal_units, 2u);
  const auto v16 =
      shared_request_cost(lanes(16, [](unsigned l) { return std::uintptr_t(16 * l); }));
  EXPECT_EQ(v16.units, 4u);
  EXPECT_EQ(v16.ideal_units, 4u);
}

// The fast per-bank costing agrees with the general sorting one on random requests (broadcasts,
// conflicts, misaligned words, partial warps).
TEST(EmuCounters, SharedRequestCostFastPathMatchesSorted) {
  using lutgemm::emu::detail::shared_request_cost_sorted;
  std::mt19937 rng(5);
  for (int trial = 0; trial < 3000; ++trial) {
    const unsigned bytes = 1u << (rng() % 5); // 1..16
    const unsigned span = 64u << (rng() % 6); // addresses within 64 B .. 2 KiB
    std::vector<LaneAccess> v;
    for (unsigned l = 0; l < 32; ++l)
      if (rng() % 4 != 0)
        v.push_back({l, std::uintptr_t(4096 + rng() % span), bytes});
    const auto fast = shared_request_cost(v);
    lutgemm::emu::detail::CostScratch scratch;
    const auto sorted = shared_request_cost_sorted(v.data(), v.size(), scratch);
    ASSERT_EQ(fast.units, sorted.units) << "trial " << trial;
    ASSERT_EQ(fast.ideal_units, sorted.ideal_units) << "trial " << trial;
  }
}

TEST(EmuCounters, StridedSharedLoads) {
  for (const auto& [stride, wavefronts] :
       std::vector<std::pair<int, unsigned>>{{1, 1}, {2, 2}, {32, 32}, {0, 1}}) {
    const LaunchCounters c = probe(0, stride);
    EXPECT_EQ(c.shared_load.requests, 1u) << "stride " << stride;
    EXPECT_EQ(c.shared_load.units, wavefronts) << "stride " << stride;
    EXPECT_EQ(c.shared_store.requests, 32u);
    EXPECT_EQ(c.shared_store.units, 32u); // stride-1 stores: conflict-free
    EXPECT_EQ(c.global_store.requests, 1u);
    EXPECT_EQ(c.global_store.units, 4u); // 32 lanes x 4 bytes = 4 sectors
    EXPECT_EQ(c.global_load.requests, 0u);
    EXPECT_EQ(c.barriers, 1u);
    EXPECT_EQ(c.warps, 1u);
  }
}

TEST(EmuCounters, VectorSharedLoads) {
  const LaunchCounters c8 = probe(1, 0);
  EXPECT_EQ(c8.shared_load.requests, 1u);
  EXPECT_EQ(c8.shared_load.units, 2u);
  EXPECT_EQ(c8.shared_load.bytes, 32u * 8);
  const LaunchCounters c16 = probe(2, 0);
  EXPECT_EQ(c16.shared_load.requests, 1u);
  EXPECT_EQ(c16.shared_load.units, 4u);
  EXPECT_DOUBLE_EQ(c16.shared_load.excess_factor(), 1.0);
}

TEST(EmuCounters, CoalescedAndStridedGlobalLoads) {
  const LaunchCounters coalesced = probe(3, 1);
  EXPECT_EQ(coalesced.global_load.requests, 1u);
  EXPECT_EQ(coalesced.global_load.units, 4u);
  const LaunchCounters strided = probe(3, 32);
  EXPECT_EQ(strided.global_load.requests, 1u);
  EXPECT_EQ(strided.global_load.units, 32u);
  EXPECT_DOUBLE_EQ(strided.global_load.excess_factor(), 8.0);
}

TEST(EmuCounters, IsolatedLaunchReturnsTheSameCounters) {
  const LaunchCounters in_process = probe(0, 2);
  const LaunchCounters isolated = probe(0, 2, true);
  EXPECT_EQ(isolated.serialize(), in_process.serialize());
}

// Per-thread and per-warp operation counts of the device runtime's counted functions; plain
// float arithmetic in the same kernel is not counted.
TEST(EmuCounters, OperationsPerThreadAndPerWarp) {
  using namespace lutgemm_emu;
  std::vector<std::uint16_t> in(64);
  for (std::size_t i = 0; i < in.size(); ++i)
    in[i] = lutgemm::float_to_half(0.25f + 0.01f * float(i));
  DeviceBuffer d_in = to_device(in), d_out(64 * sizeof(float));
  auto kernel = load_kernel(spec("tests/emu/kernels/emu_counters.cuh", "emu_counters::ops_kernel"));
  void* p[] = {d_in.data(), d_out.data()};
  void* args[] = {&p[0], &p[1]};
  LaunchCounters c;
  LaunchOptions options;
  options.counters = &c;
  lutgemm::emu::launch(*kernel, config({1, 1, 1}, {64, 1, 1}), args, options);
  const std::pair<int, std::pair<std::uint64_t, std::uint64_t>> expected[] = {
      {kOpHadd, {64 * 3 + 8, 2 * 3 + 1}},
      {kOpHmul, {64, 2}},
      {kOpHfma, {64, 2}},
      {kOpHadd2, {64, 2}},
      {kOpHmul2, {64, 2}},
      {kOpHfma2, {64, 2}},
      {kOpConvert, {128, 4}},
      {kOpIntrinsic, {128, 4}},
      {kOpShfl, {64, 2}}};
  for (const auto& [kind, counts] : expected) {
    EXPECT_EQ(c.thread_ops[kind], counts.first) << "kind " << kind;
    EXPECT_EQ(c.warp_ops_by_kind[kind], counts.second) << "kind " << kind;
  }
  const auto named = lutgemm::emu::counters_json(c);
  EXPECT_EQ(named.at("smsp__sass_thread_inst_executed_op_hadd_pred_on.sum").get<double>(),
            64 * 3 + 8 + 64);
  EXPECT_EQ(named.at("emu__warp_op_shfl.sum").get<double>(), 2);
  // The isolated path carries them too.
  LaunchCounters isolated;
  options.counters = &isolated;
  options.isolate = true;
  lutgemm::emu::launch(*kernel, config({1, 1, 1}, {64, 1, 1}), args, options);
  EXPECT_EQ(isolated.serialize(), c.serialize());
}

namespace {
// The shared-load counters of one LUT-GEMM variant's main launch on random packed weights.
LaunchCounters lutgemm_counters(const lutgemm::Problem& p, const lutgemm::LutParams& params) {
  using namespace lutgemm;
  const LaunchPlan plan = make_launch_plan(p, params);
  const std::int64_t m_stride = (p.m + kRowPadding - 1) / kRowPadding * kRowPadding;
  std::vector<std::uint32_t> words(std::size_t(p.k / 32 * p.bits * m_stride));
  std::mt19937 rng(11);
  for (auto& w : words)
    w = rng();
  std::vector<std::uint16_t> alpha(std::size_t(p.k / p.group * p.bits * m_stride), 0x3c00);
  const auto x = random_activations(p.batch, p.k, 7);
  DeviceBuffer d_words = to_device(words), d_alpha = to_device(alpha), d_x = to_device(x),
               d_offset(4), d_y(std::size_t(p.m * p.batch) * 2);
  std::vector<LaunchCounters> per_launch;
  emu::run_plan(plan,
                {{"bit_words", &d_words},
                 {"alpha", &d_alpha},
                 {"offset", &d_offset},
                 {"x", &d_x},
                 {"y", &d_y}},
                {}, &per_launch);
  return per_launch.at(0);
}
} // namespace

// Kernel v2's table copies and split build against the shared-memory wavefronts they are for.
// Lane l reads copy l % copies of the entry its key names (entry e of copy c at word
// e * copies + c): a mu-8 fp32 half table (128 words) has conflicts with one copy, fewer with 16
// (lanes l and l + 16 still share a copy). The split build reads 2 partial sums per entry instead
// of mu activations. A mu-4 table (8 words) never conflicts.
TEST(EmuCounters, TableCopiesAndSplitBuildSaveWavefronts) {
  using namespace lutgemm;
  Problem p;
  p.m = 512; // one block of 128 threads x 4 rows
  p.k = 256;
  p.batch = 1;
  p.bits = 2;
  p.group = 128;
  p.has_offset = false;
  LutParams params;
  params.mu = 8;
  params.rows_per_thread = 4;
  params.threads = 128;
  params.k_tile = 32;
  params.load_bits = 128;
  params.table = TableKind::half;
  const MemoryCounters one = lutgemm_counters(p, params).shared_load;
  params.copies = 16;
  const MemoryCounters sixteen = lutgemm_counters(p, params).shared_load;
  params.build = TableBuild::split;
  const MemoryCounters split = lutgemm_counters(p, params).shared_load;
  params.mu = 4;
  params.copies = 1;
  params.build = TableBuild::direct;
  const MemoryCounters mu4 = lutgemm_counters(p, params).shared_load;
  std::printf("[emulator] shared-load wavefronts (requests), mu 8 fp32 half kt32: 1 copy %llu "
              "(%llu), 16 copies %llu (%llu), 16 copies + split build %llu (%llu); mu 4: factor "
              "%.3f\n",
              (unsigned long long)one.units, (unsigned long long)one.requests,
              (unsigned long long)sixteen.units, (unsigned long long)sixteen.requests,
              (unsigned long long)split.units, (unsigned long long)split.requests,
              mu4.excess_factor());
  EXPECT_EQ(sixteen.requests, one.requests); // the same loads, spread over more banks
  EXPECT_LT(sixteen.units, one.units);
  EXPECT_LT(split.requests, sixteen.requests); // 2 reads per entry instead of 8
  EXPECT_LT(split.units, sixteen.units);
  EXPECT_DOUBLE_EQ(mu4.excess_factor(), 1.0);
}

// Pair tables (accum h2): one __half2 lookup serves two activation columns, so a batch-2 block
// issues about half the shared-memory loads of fp32 tables (the table builds' reads stay).
TEST(EmuCounters, PairTablesHalveLookups) {
  using namespace lutgemm;
  Problem p;
  p.m = 512;
  p.k = 256;
  p.batch = 2;
  p.bits = 3;
  p.group = 128;
  p.has_offset = false;
  LutParams params;
  params.mu = 4;
  params.rows_per_thread = 4;
  params.threads = 128;
  params.k_tile = 128;
  params.load_bits = 128;
  params.batch_cols = 2;
  const MemoryCounters f32 = lutgemm_counters(p, params).shared_load;
  params.accum = Accum::h2;
  const MemoryCounters h2 = lutgemm_counters(p, params).shared_load;
  std::printf("[emulator] batch 2, mu 4: shared-load requests fp32 tables %llu (%llu bytes), "
              "pair tables %llu (%llu bytes)\n",
              (unsigned long long)f32.requests, (unsigned long long)f32.bytes,
              (unsigned long long)h2.requests, (unsigned long long)h2.bytes);
  EXPECT_LT(double(h2.requests), 0.6 * double(f32.requests));
  EXPECT_GT(double(h2.requests), 0.4 * double(f32.requests));
}

// The LUT-GEMM kernel (unchanged) on all-zero weights: every key is 0, so the lanes of a warp read
// one table entry per lookup (a broadcast), and the lookups are conflict-free. Random weights make
// the lanes' keys differ and conflicts appear.
TEST(EmuCounters, LutgemmTableLookupsOnZeroKeysAreBroadcasts) {
  using namespace lutgemm;
  Problem p;
  p.m = 2048; // one block of 256 threads x 8 rows: every lane has live rows
  p.k = 256;
  p.batch = 1;
  p.bits = 3;
  p.group = 128;
  p.has_offset = false;
  LutParams params = default_lut_params(3, 1);
  params.split = 1;
  params.combine = Combine::none;
  const LaunchPlan plan = make_launch_plan(p, params);
  ASSERT_EQ(plan.launches.size(), 1u);

  auto run = [&](bool zero_keys) {
    const std::int64_t m_stride = (p.m + kRowPadding - 1) / kRowPadding * kRowPadding;
    std::vector<std::uint32_t> words(std::size_t(p.k / 32 * p.bits * m_stride), 0u);
    std::mt19937 rng(5);
    if (!zero_keys)
      for (auto& w : words)
        w = rng();
    std::vector<std::uint16_t> alpha(std::size_t(p.k / 128 * p.bits * m_stride), 0x3c00);
    const auto x = random_activations(p.batch, p.k, 7);
    DeviceBuffer d_words = to_device(words), d_alpha = to_device(alpha), d_x = to_device(x),
                 d_offset(4), d_y(std::size_t(p.m) * 2);
    LaunchCounters counters;
    LaunchOptions options;
    options.counters = &counters;
    emu::run_plan(plan,
                  {{"bit_words", &d_words},
                   {"alpha", &d_alpha},
                   {"offset", &d_offset},
                   {"x", &d_x},
                   {"y", &d_y}},
                  options);
    return counters;
  };
  const LaunchCounters zero = run(true);
  EXPECT_GT(zero.shared_load.requests, 0u);
  EXPECT_DOUBLE_EQ(zero.shared_load.excess_factor(), 1.0);
  const LaunchCounters random = run(false);
  EXPECT_EQ(random.shared_load.requests, zero.shared_load.requests);
  EXPECT_GT(random.shared_load.excess_factor(), 1.5);
  // The packed weights are read once, coalesced: sectors per request as for 16-byte vector loads.
  EXPECT_EQ(random.global_load.units, zero.global_load.units);
  std::printf("[emulator] LUT-GEMM %s random keys: shared-load conflict factor %.2f, global "
              "sectors/request %.2f\n",
              lut_label(p, params).c_str(), random.shared_load.excess_factor(),
              random.global_load.units_per_request());
}
