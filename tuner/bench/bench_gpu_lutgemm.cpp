// GPU benchmarks of LUT-GEMM's shipped variants (default_lut_params for each q and batch), q3 and
// q4 g128 on every bench shape and batch, beside the baselines (bench_gpu_baselines.cpp): the plan
// compiled with NVRTC for the device, packed BCQ weights rotated past 2x L2, timed with CUDA
// events around back-to-back launches as the tuner times (cuda/event_sampling.hpp).
#include "bench_gpu.hpp"
#include "cuda/loaded_plan.hpp"
#include "cuda/memory.hpp"
#include "cuda/plan_launch.hpp"
#include "kernels/lut_params.hpp"
#include "model/workloads.hpp"
#include "quant/packed_bcq.hpp"

#include <fmt/format.h>

#include <random>

namespace lutgemm::bench {
namespace {

// Random packed words, scales and offsets in the kernel's layout (quant/packed_bcq.hpp): the time
// does not depend on the values, and quantizing a 600 M-weight layer on the host would take longer
// than the benchmark.
struct DeviceWeights {
  cuda::DeviceBuffer bit_words, alpha, offset;
};

DeviceWeights random_device_weights(const Problem& p, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  const std::int64_t m_stride = (p.m + kRowPadding - 1) / kRowPadding * kRowPadding;
  const std::int64_t groups = p.groups_per_row();
  std::vector<std::uint32_t> words(static_cast<std::size_t>(p.k / 32 * p.bits * m_stride));
  for (auto& w : words)
    w = static_cast<std::uint32_t>(rng());
  // fp16 values in [0.0156, 0.0625): exponent 0b01001..01010, random mantissa.
  std::vector<std::uint16_t> alpha(static_cast<std::size_t>(groups * p.bits * m_stride));
  for (auto& a : alpha)
    a = static_cast<std::uint16_t>(0x2400 + (rng() & 0x7ff));
  std::vector<std::uint16_t> offset(static_cast<std::size_t>(groups * m_stride));
  for (auto& z : offset)
    z = static_cast<std::uint16_t>(0x2000 + (rng() & 0x3ff));
  return {cuda::make_device_buffer(words), cuda::make_device_buffer(alpha),
          cuda::make_device_buffer(offset)};
}

void run_lutgemm(benchmark::State& state, const Problem& problem) {
  GpuState& gpu = gpu_state();
  gpu.context.make_current();
  const LutParams params = default_lut_params(problem.bits, problem.batch);
  const LaunchPlan plan = make_launch_plan(problem, params);
  const cuda::LoadedPlan loaded(plan);

  const double weight_bytes = model::packed_bcq_bytes(problem);
  const int copies = cold_l2_copies(static_cast<std::int64_t>(weight_bytes));
  std::vector<DeviceWeights> weights;
  for (int i = 0; i < copies; ++i)
    weights.push_back(random_device_weights(problem, 1 + static_cast<std::uint64_t>(i)));
  std::vector<std::uint16_t> x_host(static_cast<std::size_t>(problem.k * problem.batch), 0x3c00);
  cuda::DeviceBuffer x = cuda::make_device_buffer(x_host);
  cuda::DeviceBuffer y(static_cast<std::size_t>(problem.m * problem.batch) * 2);
  cuda::DeviceBuffer workspace(
      static_cast<std::size_t>(std::max<std::int64_t>(plan.workspace_bytes, 4)));

  const double total_seconds = time_with_events(state, [&](std::size_t i, CUstream s) {
    const DeviceWeights& w = weights[i % weights.size()];
    cuda::enqueue_plan(plan, loaded.functions(),
                       {{"bit_words", w.bit_words.ptr()},
                        {"alpha", w.alpha.ptr()},
                        {"offset", w.offset.ptr()},
                        {"x", x.ptr()},
                        {"y", y.ptr()},
                        {"workspace", workspace.ptr()}},
                       s);
  });
  const double bytes =
      weight_bytes + 2.0 * problem.k * problem.batch + 2.0 * problem.m * problem.batch;
  set_bandwidth_counters(state, static_cast<std::int64_t>(bytes), total_seconds);
  state.SetLabel(fmt::format("{}; weights rotated past 2x L2 ({} copies)",
                             lut_label(problem, params), copies));
}

const GpuBenchmarkDeclaration kLutgemm{[] {
  std::vector<GpuBenchmark> list;
  for (const BenchShape& shape : bench_shapes())
    for (int batch : bench_batches())
      for (int bits : {3, 4}) {
        const Problem problem{
            .m = shape.m, .k = shape.k, .batch = batch, .bits = bits, .group = 128};
        list.push_back({fmt::format("gpu/lutgemm/{}/q{}/b{}", shape.name, bits, batch),
                        [problem](benchmark::State& state) { run_lutgemm(state, problem); }});
      }
  return list;
}};

} // namespace
} // namespace lutgemm::bench
