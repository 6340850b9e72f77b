#pragma once
// GPU benchmarks of lutgemm_bench. Each bench_gpu_*.cpp file declares its benchmarks here (by name,
// at static-initialization time); main() registers them with Google Benchmark only when a CUDA
// device is present, and otherwise prints which it skipped and why. They time with CUDA events
// (manual time) and report GB/s and % of the device's DRAM peak as counters.
#include "cuda/context.hpp"
#include "cuda/device_info.hpp"
#include "problem/problem.hpp"

#include <benchmark/benchmark.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace lutgemm::bench {

struct GpuBenchmark {
  std::string name; // "gpu/<family>/<shape>/<bits>/b<batch>"
  std::function<void(benchmark::State&)> run;
};

// Adds benchmarks to the GPU list (call from a static initializer).
struct GpuBenchmarkDeclaration {
  explicit GpuBenchmarkDeclaration(std::function<std::vector<GpuBenchmark>()> declare);
};

// Every declared GPU benchmark, in declaration order.
std::vector<GpuBenchmark> declared_gpu_benchmarks();

// The shapes every GPU family is benchmarked on (preset layers), and the batches.
struct BenchShape {
  std::string name; // e.g. "opt175b_fc1" (the paper's Table 1 layer)
  std::int64_t m = 0;
  std::int64_t k = 0;
};
const std::vector<BenchShape>& bench_shapes();
const std::vector<int>& bench_batches();

// The device the benchmarks run on (ordinal 0), created on first use.
struct GpuState {
  cuda::PrimaryContext context{0};
  cuda::DeviceProperties properties = cuda::query_device(0);
};
GpuState& gpu_state();

// Weight copies to rotate through so that the weights read by consecutive repetitions together
// exceed 2x the L2 cache (cold-L2 timing), bounded by a quarter of the free device memory.
int cold_l2_copies(std::int64_t weight_bytes);

// Times `enqueue(i, stream)` (operation i, rotating whatever the caller rotates) with the one
// CUDA-event sampling loop (cuda/event_sampling.hpp): 3 warm-up operations, which also size the
// samples (many back-to-back operations per event pair, launch latency out), then one sample per
// benchmark iteration as its manual time. Returns the seconds of all samples together.
double time_with_events(benchmark::State& state,
                        const std::function<void(std::size_t, CUstream)>& enqueue);

// Sets the counters every GPU benchmark reports: GB/s moved and % of DRAM peak, from
// `bytes_per_iteration` and the manual (CUDA event) time accumulated in `state`.
void set_bandwidth_counters(benchmark::State& state, std::int64_t bytes_per_iteration,
                            double total_seconds);

} // namespace lutgemm::bench
