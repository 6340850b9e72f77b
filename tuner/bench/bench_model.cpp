// Host benchmark of the performance model (tuner/model): predicting every variant of the full
// LUT-GEMM search space of one problem, as `lutgemm tune --backend emu --strategy model` ranks it.
// Issue 10's budget: the whole space in under 1 s (it was about 10k variants; kernel v2 knobs
// made it about 200k). Name:
// host/model_predict_space/M/K/bits; items = predictions.
#include "model/perf_model.hpp"
#include "model/variant_workload.hpp"
#include "space/families.hpp"
#include "targets/gpu_spec.hpp"

#include <benchmark/benchmark.h>

namespace lutgemm::bench {
namespace {

void BM_ModelPredictSpace(benchmark::State& state) {
  Problem problem;
  problem.m = state.range(0);
  problem.k = state.range(1);
  problem.bits = static_cast<int>(state.range(2));
  problem.group = 128;
  const auto space = space::family_space(space::Family::lutgemm);
  std::vector<LutParams> variants; // every variant the constraints accept (what tune ranks)
  for (const auto& v : space::accepted_variants(space, problem))
    variants.push_back(v.lut());
  const GpuSpec& target = find_target("a100-80gb");
  for (auto _ : state) {
    double sum = 0;
    for (const auto& p : variants)
      sum += model::predict(model::lut_variant_workload(problem, p), target).total_us;
    benchmark::DoNotOptimize(sum);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(variants.size()));
  state.counters["variants"] = static_cast<double>(variants.size());
}
BENCHMARK(BM_ModelPredictSpace)
    ->Name("host/model_predict_space")
    ->Args({49152, 12288, 3})
    ->Unit(benchmark::kMillisecond);

} // namespace
} // namespace lutgemm::bench
