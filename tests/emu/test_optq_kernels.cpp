// The OPTQ (GPTQ)-style baseline kernels in the host emulator, through their launch plans, at 3 and
// 4 bits and several group sizes, against the float64 reference of the same packed weights:
//   dequantize: every fp16 weight of W [k][m] vs the exact s * n - zs;
//   fused GEMV: every output vs reference_gemm, for each combine mode and batch 1..32.
// Random codes, scales and zero points; random activations (never zero); outputs, W and the
// workspace poisoned with NaN before the launch.
//
// Tolerances, against the exact values:
//   dequantize  2^-11 |w| (1 + 2^-12) + 2^-25: one rounding to fp16 (half an ulp) after the
//               fp32 fused multiply-add (its own rounding is 2^-24 relative, folded in);
//   GEMV        2^-11 |y*| + 2^-24 (64 + K/32) S': the fp16 rounding of y plus fp32 accumulation,
//               32 multiply-adds per chunk and one add per chunk (K/32), each rounding relative
//               2^-24 of a partial sum bounded by S' = sum_k (s n + |zs|) |x_k|.
#include "kernel_check.hpp"
#include "kernels/optq_params.hpp"
#include "quant/dequantize.hpp"
#include "quant/generate.hpp"
#include "quant/packed_gptq.hpp"
#include "quant/reference.hpp"

#include <fmt/format.h>

#include <map>
#include <random>

using namespace lutgemm;
using namespace kernel_check;

namespace {

struct Case {
  std::string name;
  Problem problem;
  OptqParams params;
};

// gtest prints a parameter by its name, not its bytes.
void PrintTo(const Case& c, std::ostream* os) {
  *os << c.name;
}

Problem problem(std::int64_t m, std::int64_t k, int batch, int bits, int group) {
  return Problem{.m = m, .k = k, .batch = batch, .bits = bits, .group = group};
}

OptqParams gemv(int threads, int kt, int bc, int split, Combine combine) {
  return OptqParams{OptqKind::gemv, threads, kt, bc, split, combine};
}

OptqParams dequant(int threads) {
  OptqParams p;
  p.kind = OptqKind::dequant;
  p.threads = threads;
  return p;
}

const std::vector<Case>& cases() {
  static const std::vector<Case> list = {
      {"dequant_q3_g128", problem(300, 1024, 1, 3, 128), dequant(256)},
      {"dequant_q4_g32_oddM", problem(257, 512, 1, 4, 32), dequant(128)},
      {"dequant_q3_rowwise", problem(130, 768, 1, 3, kRowWise), dequant(64)},
      {"dequant_q4_g64", problem(200, 512, 1, 4, 64), dequant(512)},
      {"gemv_q3_default_b1", problem(300, 1024, 1, 3, 128),
       default_optq_params(OptqKind::gemv, 3, 1)},
      {"gemv_q4_default_b8", problem(300, 1024, 8, 4, 128),
       default_optq_params(OptqKind::gemv, 4, 8)},
      {"gemv_q3_g32_b3_atomic", problem(257, 512, 3, 3, 32), gemv(128, 64, 2, 4, Combine::atomic)},
      {"gemv_q4_rowwise_none", problem(200, 768, 1, 4, kRowWise),
       gemv(64, 256, 1, 1, Combine::none)},
      {"gemv_q3_g64_b32_reduce", problem(100, 512, 32, 3, 64),
       gemv(256, 32, 8, 16, Combine::reduce)},
      {"gemv_q4_g256_b2_uneven_split", problem(301, 1280, 2, 4, 256),
       gemv(512, 128, 2, 4, Combine::reduce)},
  };
  return list;
}

// Random RTN codes for the OPTQ layout: every code value, scales in [1/64, 1/8], zero points
// anywhere in [0, 2^q - 1].
PackedGptq random_weights(const Problem& p, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> scale(1.0f / 64, 1.0f / 8);
  UniformQuant q;
  q.m = p.m;
  q.k = p.k;
  q.bits = p.bits;
  q.group = p.group_size();
  q.codes.resize(static_cast<std::size_t>(p.m * p.k));
  for (auto& n : q.codes)
    n = static_cast<std::uint8_t>(rng() & ((1u << p.bits) - 1u));
  q.scale.resize(static_cast<std::size_t>(p.groups_per_row() * p.m));
  for (auto& s : q.scale)
    s = float_to_half(scale(rng));
  q.zero_point.resize(q.scale.size());
  for (auto& z : q.zero_point)
    z = static_cast<std::uint8_t>(rng() & ((1u << p.bits) - 1u));
  return pack_gptq(q);
}

class OptqKernels : public testing::TestWithParam<Case> {
protected:
  static void SetUpTestSuite() {
    std::vector<LaunchPlan> plans;
    for (const auto& c : cases())
      plans.push_back(make_launch_plan(c.problem, c.params));
    preload(plans);
  }
};

TEST_P(OptqKernels, MatchesTheFloat64Reference) {
  const Case& c = GetParam();
  const Problem& p = c.problem;
  ASSERT_EQ(check(p, c.params), std::nullopt);
  const LaunchPlan plan = make_launch_plan(p, c.params);
  const std::uint64_t seed = std::hash<std::string>{}(c.name);
  const PackedGptq weights = random_weights(p, seed);
  const std::vector<double> w = dequantize(weights); // exact, [m][k]
  const std::string what = fmt::format("{} ({})", optq_label(p, c.params), to_string(p));

  DeviceBuffer qweight = to_device(weights.qweight);
  DeviceBuffer scales = to_device(weights.scales);
  DeviceBuffer zeros = to_device(weights.zeros);

  if (c.params.kind == OptqKind::dequant) {
    const std::size_t n = static_cast<std::size_t>(p.m * p.k);
    DeviceBuffer w_fp16 = nan_halves(n);
    emu::run_plan(
        plan, {{"qweight", &qweight}, {"scales", &scales}, {"zeros", &zeros}, {"w_fp16", &w_fp16}});
    // Output layout [k][m]: compare against the exact weights in that order.
    std::vector<double> ref(n), tol(n);
    for (std::int64_t k = 0; k < p.k; ++k)
      for (std::int64_t m = 0; m < p.m; ++m) {
        const double v = w[m * p.k + k];
        ref[k * p.m + m] = v;
        tol[k * p.m + m] =
            std::ldexp(std::abs(v), -11) * (1 + std::ldexp(1.0, -12)) + std::ldexp(1.0, -25);
      }
    compare(to_host<std::uint16_t>(w_fp16, n), ref, tol, what);
    return;
  }

  const std::vector<std::uint16_t> x = random_activations(p.batch, p.k, seed + 1);
  const std::vector<double> ref = reference_gemm(weights, x, p.batch);
  std::vector<double> tol(ref.size());
  for (int b = 0; b < p.batch; ++b)
    for (std::int64_t m = 0; m < p.m; ++m) {
      double bound = 0;
      const std::int64_t g = p.group_size();
      for (std::int64_t k = 0; k < p.k; ++k) {
        const std::size_t gi = static_cast<std::size_t>((k / g) * p.m + m);
        const double s = half_to_double(weights.scales[gi]);
        const double zs = std::abs(half_to_double(weights.zeros[gi]));
        const double n = s > 0 ? (w[m * p.k + k] + half_to_double(weights.zeros[gi])) / s : 0;
        bound += (s * n + zs) * std::abs(half_to_double(x[b * p.k + k]));
      }
      const std::size_t i = static_cast<std::size_t>(b * p.m + m);
      tol[i] = std::ldexp(std::abs(ref[i]), -11) +
               std::ldexp(64.0 + double(p.k) / 32, -24) * bound + kHalfMinSubnormal;
    }
  DeviceBuffer xs = to_device(x);
  DeviceBuffer y = nan_halves(ref.size());
  DeviceBuffer workspace = nan_workspace(std::max<std::int64_t>(plan.workspace_bytes, 4));
  std::map<std::string, DeviceBuffer*> buffers = {
      {"qweight", &qweight}, {"scales", &scales}, {"zeros", &zeros}, {"x", &xs}, {"y", &y}};
  if (plan.workspace_bytes > 0)
    buffers["workspace"] = &workspace;
  emu::run_plan(plan, buffers);
  compare(to_host<std::uint16_t>(y, ref.size()), ref, tol, what);
}

INSTANTIATE_TEST_SUITE_P(Emu, OptqKernels, testing::ValuesIn(cases()),
                         [](const testing::TestParamInfo<Case>& info) { return info.param.name; });

} // namespace
