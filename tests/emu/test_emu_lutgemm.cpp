// The project's LUT-GEMM kernel (kernels/lutgemm.cuh, unchanged) through the emulator's run_plan,
// against the float64 reference, for a few variants covering the combine modes and accumulators.
// Also records host-compile and launch times (emulator figures on this CPU, not GPU times).
#include "common/half.hpp"
#include "emu/emulator.hpp"
#include "emu_test_util.hpp"
#include "kernels/lut_params.hpp"
#include "quant/generate.hpp"
#include "quant/packed_bcq.hpp"
#include "quant/reference.hpp"
#include "search/verification.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <random>

namespace {
using namespace lutgemm;

// Random packed weights (no quantization needed to test the kernel): signs, positive fp16 alphas,
// fp16 offsets; padding rows stay zero as the layout requires.
PackedBcq random_packed(const Problem& p, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  PackedBcq w;
  w.m = p.m;
  w.k = p.k;
  w.m_stride = (p.m + kRowPadding - 1) / kRowPadding * kRowPadding;
  w.bits = p.bits;
  w.group = p.group_size();
  w.has_offset = p.has_offset;
  const std::int64_t groups = p.k / w.group;
  w.bit_words.assign(std::size_t(p.k / 32 * p.bits * w.m_stride), 0u);
  w.alpha.assign(std::size_t(groups * p.bits * w.m_stride), 0);
  if (p.has_offset)
    w.offset.assign(std::size_t(groups * w.m_stride), 0);
  std::uniform_real_distribution<float> alpha(0.01f, 0.1f), offset(-0.05f, 0.05f);
  for (std::int64_t kw = 0; kw < p.k / 32; ++kw)
    for (int i = 0; i < p.bits; ++i)
      for (std::int64_t r = 0; r < p.m; ++r)
        w.bit_words[std::size_t((kw * p.bits + i) * w.m_stride + r)] =
            static_cast<std::uint32_t>(rng());
  for (std::int64_t g = 0; g < groups; ++g)
    for (std::int64_t r = 0; r < p.m; ++r) {
      for (int i = 0; i < p.bits; ++i)
        w.alpha[std::size_t((g * p.bits + i) * w.m_stride + r)] = float_to_half(alpha(rng));
      if (p.has_offset)
        w.offset[std::size_t(g * w.m_stride + r)] = float_to_half(offset(rng));
    }
  return w;
}

// Passes when the verifier of `lutgemm tune` would pass the output (search/verification.hpp).
void check_variant(const Problem& p, const LutParams& params,
                   const emu::LaunchOptions& options = {}) {
  const PackedBcq w = random_packed(p, 42);
  const auto x = random_activations(p.batch, p.k, 7);
  const auto ref = reference_gemm(w, x, p.batch);
  const LaunchPlan plan = make_launch_plan(p, params);

  const auto t0 = std::chrono::steady_clock::now();
  double compile_ms = 0;
  for (const auto& l : plan.launches)
    compile_ms += emu::load_kernel(l.spec)->compile_ms();
  const auto t1 = std::chrono::steady_clock::now();

  emu::DeviceBuffer d_words = emu_test::to_device(w.bit_words),
                    d_alpha = emu_test::to_device(w.alpha),
                    d_offset = emu_test::to_device(w.offset), d_x = emu_test::to_device(x);
  emu::DeviceBuffer d_y(std::size_t(p.batch * p.m) * 2);
  std::map<std::string, emu::DeviceBuffer*> buffers = {{"bit_words", &d_words},
                                                       {"alpha", &d_alpha},
                                                       {"offset", &d_offset},
                                                       {"x", &d_x},
                                                       {"y", &d_y}};
  emu::run_plan(plan, buffers, options);
  const auto t2 = std::chrono::steady_clock::now();

  std::vector<std::uint16_t> y(std::size_t(p.batch * p.m));
  d_y.download(y.data(), y.size() * 2);
  const auto comparison = search::compare_output(y, ref, p.k, rounds_sums_to_fp16(params.accum));
  EXPECT_TRUE(comparison.ok) << lut_label(p, params) << ": " << comparison.message;
  const double load_ms = std::chrono::duration<double, std::milli>(t1 - t0).count();
  const double run_ms = std::chrono::duration<double, std::milli>(t2 - t1).count();
  std::printf("[emulator, this CPU] %s: host compile %.0f ms (load %.0f ms), run_plan %.0f ms\n",
              lut_label(p, params).c_str(), compile_ms, load_ms, run_ms);
}

} // namespace

TEST(EmuLutgemm, DefaultVariant) {
  const Problem p{.m = 1000, .k = 1024, .batch = 1, .bits = 3, .group = 128, .has_offset = true};
  check_variant(p, default_lut_params(3, 1));
}

TEST(EmuLutgemm, SplitReduceAndAtomic) {
  const Problem p{.m = 520, .k = 2048, .batch = 1, .bits = 4, .group = 128, .has_offset = false};
  LutParams params = default_lut_params(4, 1);
  params.split = 4;
  params.combine = Combine::reduce;
  check_variant(p, params);
  params.split = 2;
  params.combine = Combine::atomic;
  check_variant(p, params);
}

TEST(EmuLutgemm, HalfAccumulatorMu4FullTableBatchColumns) {
  const Problem p{.m = 300, .k = 512, .batch = 3, .bits = 2, .group = kRowWise, .has_offset = true};
  LutParams params = default_lut_params(2, 3);
  params.mu = 4;
  params.table = TableKind::full;
  params.accum = Accum::f16;
  params.batch_cols = 2;
  params.rows_per_thread = 2;
  params.load_bits = 64;
  params.threads = 128;
  check_variant(p, params);
}

TEST(EmuLutgemm, RealisticShapeNoSplit) {
  const Problem p{.m = 1024, .k = 2048, .batch = 1, .bits = 3, .group = 128, .has_offset = true};
  LutParams params = default_lut_params(3, 1);
  params.split = 1;
  params.combine = Combine::none;
  check_variant(p, params);
}

// The race check finds nothing in the real kernel (every table and x tile is written and read
// between the right barriers), and the results are the same.
TEST(EmuLutgemm, RaceCheckIsClean) {
  const Problem p{.m = 256, .k = 512, .batch = 2, .bits = 3, .group = 128, .has_offset = true};
  LutParams params = default_lut_params(3, 2);
  params.split = 2;
  params.combine = Combine::atomic;
  emu::LaunchOptions options;
  options.race_check = true;
  check_variant(p, params, options);
}
