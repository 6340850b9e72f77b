// The OPTQ-style kernels (kernels/optq.cuh, unchanged) through the emulator's run_plan: the fused
// GEMV against the float64 reference, and the dequantize kernel against the packed codes.
#include "common/half.hpp"
#include "emu/emulator.hpp"
#include "emu_test_util.hpp"
#include "kernels/optq_params.hpp"
#include "quant/generate.hpp"
#include "quant/packed_gptq.hpp"
#include "quant/reference.hpp"
#include "quant/uniform.hpp"
#include "search/verification.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace {
using namespace lutgemm;

} // namespace

TEST(EmuOptq, GemvMatchesReference) {
  const Problem p{.m = 300, .k = 1024, .batch = 2, .bits = 3, .group = 128};
  const auto weights = gaussian_weights(p.m, p.k, 5, 0.05f);
  const PackedGptq w = pack_gptq(quantize_rtn(weights, p.m, p.k, p.bits, p.group));
  const auto x = random_activations(p.batch, p.k, 9);
  const auto ref = reference_gemm(w, x, p.batch);
  for (const auto& params : {default_optq_params(OptqKind::gemv, 3, 2),
                             OptqParams{OptqKind::gemv, 128, 64, 2, 4, Combine::reduce}}) {
    const LaunchPlan plan = make_launch_plan(p, params);
    emu::DeviceBuffer d_q = emu_test::to_device(w.qweight), d_s = emu_test::to_device(w.scales),
                      d_z = emu_test::to_device(w.zeros), d_x = emu_test::to_device(x),
                      d_y(std::size_t(p.batch * p.m) * 2);
    std::map<std::string, emu::DeviceBuffer*> buffers = {
        {"qweight", &d_q}, {"scales", &d_s}, {"zeros", &d_z}, {"x", &d_x}, {"y", &d_y}};
    emu::run_plan(plan, buffers);
    std::vector<std::uint16_t> y(std::size_t(p.batch * p.m));
    d_y.download(y.data(), y.size() * 2);
    // The verifier's rule (search/verification.hpp); the GEMV accumulates in fp32.
    const auto comparison = search::compare_output(y, ref, p.k, false);
    EXPECT_TRUE(comparison.ok) << optq_label(p, params) << ": " << comparison.message;
  }
}

TEST(EmuOptq, DequantMatchesCodes) {
  const Problem p{.m = 200, .k = 256, .batch = 1, .bits = 4, .group = 64};
  const auto weights = gaussian_weights(p.m, p.k, 6, 0.05f);
  const PackedGptq w = pack_gptq(quantize_rtn(weights, p.m, p.k, p.bits, p.group));
  const LaunchPlan plan = make_launch_plan(p, default_optq_params(OptqKind::dequant, 4, 1));
  emu::DeviceBuffer d_q = emu_test::to_device(w.qweight), d_s = emu_test::to_device(w.scales),
                    d_z = emu_test::to_device(w.zeros), d_w(std::size_t(p.m * p.k) * 2);
  std::map<std::string, emu::DeviceBuffer*> buffers = {
      {"qweight", &d_q}, {"scales", &d_s}, {"zeros", &d_z}, {"w_fp16", &d_w}};
  emu::run_plan(plan, buffers);
  std::vector<std::uint16_t> out(std::size_t(p.m * p.k));
  d_w.download(out.data(), out.size() * 2);
  for (std::int64_t kk = 0; kk < p.k; kk += 7)
    for (std::int64_t r = 0; r < p.m; r += 3) {
      const std::int64_t g = kk / p.group;
      const float s = half_to_float(w.scales[std::size_t(g * p.m + r)]);
      const float zs = half_to_float(w.zeros[std::size_t(g * p.m + r)]);
      const float expect = round_to_half(std::fma(s, float(gptq_code(w, r, kk)), -zs));
      ASSERT_EQ(half_to_float(out[std::size_t(kk * p.m + r)]), expect) << r << "," << kk;
    }
}
