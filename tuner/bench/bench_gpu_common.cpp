#include "bench_gpu.hpp"

#include "cuda/event.hpp"
#include "cuda/event_sampling.hpp"
#include "cuda/memory.hpp"

#include <algorithm>
#include <cmath>

namespace lutgemm::bench {
namespace {

std::vector<std::function<std::vector<GpuBenchmark>()>>& declarations() {
  static std::vector<std::function<std::vector<GpuBenchmark>()>> list;
  return list;
}

} // namespace

GpuBenchmarkDeclaration::GpuBenchmarkDeclaration(
    std::function<std::vector<GpuBenchmark>()> declare) {
  declarations().push_back(std::move(declare));
}

std::vector<GpuBenchmark> declared_gpu_benchmarks() {
  std::vector<GpuBenchmark> all;
  for (const auto& declare : declarations())
    for (auto& benchmark : declare())
      all.push_back(std::move(benchmark));
  return all;
}

const std::vector<BenchShape>& bench_shapes() {
  // OPT-175B's fc1 is the paper's Table 1 layer; 28672x7168 is the original LUT-GEMM repository's
  // test layer; the LLaMA-7B layers are the small end.
  static const std::vector<BenchShape> shapes = {{"opt175b_fc1", 49152, 12288},
                                                 {"lutgemm_repo", 28672, 7168},
                                                 {"llama7b_mlp_up", 11008, 4096},
                                                 {"llama7b_attn_q", 4096, 4096}};
  return shapes;
}

const std::vector<int>& bench_batches() {
  static const std::vector<int> batches = {1, 8};
  return batches;
}

GpuState& gpu_state() {
  static GpuState state;
  return state;
}

int cold_l2_copies(std::int64_t weight_bytes) {
  if (weight_bytes <= 0)
    return 1;
  const double l2 = double(gpu_state().properties.l2_bytes);
  const int wanted = int(std::ceil(2.0 * l2 / double(weight_bytes))) + 1;
  const double budget = double(cuda::memory_info().free_bytes) / 4.0;
  const int affordable = std::max(1, int(budget / double(weight_bytes)));
  return std::clamp(wanted, 1, std::min(affordable, 64));
}

double time_with_events(benchmark::State& state,
                        const std::function<void(std::size_t, CUstream)>& enqueue) {
  cuda::Stream stream;
  cuda::EventSampling how;
  how.warmup = 3;
  const auto sampled =
      cuda::sample_with_events(stream.get(), how, enqueue, [&](const cuda::SamplingProgress& p) {
        if (!p.us.empty())
          state.SetIterationTime(p.us.back() * 1e-6);
        return state.KeepRunning();
      });
  double total_seconds = 0.0;
  for (double us : sampled.us)
    total_seconds += us * 1e-6;
  return total_seconds;
}

void set_bandwidth_counters(benchmark::State& state, std::int64_t bytes_per_iteration,
                            double total_seconds) {
  if (total_seconds <= 0.0 || state.iterations() == 0)
    return;
  const double bytes_per_second =
      double(bytes_per_iteration) * double(state.iterations()) / total_seconds;
  state.counters["GB/s"] = bytes_per_second / 1e9;
  const double peak = gpu_state().properties.dram_bandwidth_gbs;
  if (peak > 0.0)
    state.counters["pct_dram_peak"] = 100.0 * bytes_per_second / (peak * 1e9);
}

} // namespace lutgemm::bench
