// GPU benchmarks of the baselines (baselines/): every cuBLAS provider, and the OPTQ providers at 3
// and 4 bits, on every bench shape and batch, timed with CUDA events around many back-to-back
// repetitions, weights rotated for a cold L2. Also the host-side preparation of their inputs (runs
// without a GPU).
#include "baselines/provider.hpp"
#include "bench_gpu.hpp"
#include "quant/generate.hpp"
#include "quant/packed_gptq.hpp"
#include "quant/uniform.hpp"

#include <fmt/format.h>

#include <optional>

namespace lutgemm::bench {
namespace {

void run_baseline(benchmark::State& state, const std::string& provider_name,
                  const Problem& problem) {
  auto provider = baselines::make_provider(provider_name);
  if (auto reason = provider->unsupported_reason(problem)) {
    state.SkipWithError(reason->c_str());
    return;
  }
  GpuState& gpu = gpu_state();
  gpu.context.make_current();
  baselines::BaselineInputs inputs = baselines::make_random_inputs(problem, 1);
  // The OPTQ providers run on the same layer GPTQ-packed (round-to-nearest, the problem's group).
  std::optional<PackedGptq> gptq;
  if (provider_name.starts_with("optq")) {
    gptq = pack_gptq(quantize_rtn(gaussian_weights(problem.m, problem.k, 1), problem.m, problem.k,
                                  problem.bits, static_cast<int>(problem.group_size())));
    inputs.gptq = &*gptq;
  }
  baselines::PrepareOptions options;
  options.weight_copies = cold_l2_copies(problem.m * problem.k * 2);
  // Each provider sizes its rotation from its own weight bytes (int8 is half of fp16).
  options.cold_l2_bytes = gpu.properties.l2_bytes;
  auto prepared = provider->prepare(inputs, options);

  // Warm-up (clocks up, lazy library initialization done) and sampling as the tuner times.
  const double total_seconds = time_with_events(
      state, [&](std::size_t i, CUstream s) { prepared->enqueue(static_cast<int>(i), s); });
  set_bandwidth_counters(state, prepared->bytes_moved(), total_seconds);
  state.SetLabel(fmt::format("{}; weights rotated past 2x L2", prepared->config()));
}

const GpuBenchmarkDeclaration kBaselines{[] {
  std::vector<GpuBenchmark> list;
  const auto add = [&](const std::string& provider, const BenchShape& shape, int batch, int bits,
                       const std::string& precision) {
    const Problem problem{.m = shape.m, .k = shape.k, .batch = batch, .bits = bits, .group = 128};
    list.push_back(
        {fmt::format("gpu/{}/{}/{}/b{}", provider, shape.name, precision, batch),
         [provider, problem](benchmark::State& state) { run_baseline(state, provider, problem); }});
  };
  for (const BenchShape& shape : bench_shapes())
    for (int batch : bench_batches()) {
      for (const char* provider : {"cublas_fp16_acc16", "cublas_fp16_acc32", "cublaslt_fp16_tuned",
                                   "cublas_fp32", "cublas_int8"})
        add(provider, shape, batch, 3, "fp");
      // The OPTQ kernels (kernels/optq.cuh) at the bit-widths they pack, g128.
      for (const char* provider : {"optq_fused_gemv", "optq_dequant_gemm"})
        for (int bits : {3, 4})
          add(provider, shape, batch, bits, fmt::format("q{}", bits));
    }
  return list;
}};

// Host side: generating and rounding a layer's inputs (what every baseline benchmark does first).
void BM_BaselineInputs(benchmark::State& state) {
  const Problem problem{
      .m = state.range(0), .k = state.range(1), .batch = 1, .bits = 3, .group = 128};
  for (auto _ : state) {
    auto inputs = baselines::make_random_inputs(problem, 1);
    benchmark::DoNotOptimize(inputs.w_fp16.data());
  }
  state.SetItemsProcessed(state.iterations() * problem.m * problem.k);
}
BENCHMARK(BM_BaselineInputs)
    ->Name("host/baseline_inputs")
    ->Args({1024, 1024})
    ->Args({4096, 4096})
    ->Unit(benchmark::kMillisecond);

} // namespace
} // namespace lutgemm::bench
