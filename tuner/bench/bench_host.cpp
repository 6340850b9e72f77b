// Host-side benchmarks of the kernel toolchain (run without a GPU): NVRTC compilation of the
// default LUT-GEMM variant, cold (a fresh compiler, nothing cached) and warm (a memory-cache hit,
// i.e. what the tuner pays for a variant it has already compiled), and one emulated launch plan of
// the default variant on a small layer (the cost of an emulator check in the tuner).
#include "emu/emulator.hpp"
#include "jit/nvrtc_compiler.hpp"
#include "kernels/lut_params.hpp"
#include "quant/bcq.hpp"
#include "quant/generate.hpp"
#include "quant/pack_bcq.hpp"

#include <benchmark/benchmark.h>

#include <map>

namespace lutgemm::bench {
namespace {

// The variant we ship for a 3-bit, batch-1 layer.
KernelSpec default_spec() {
  const Problem problem{.m = 12288, .k = 12288, .batch = 1, .bits = 3, .group = 128};
  return lut_kernel_spec(problem, default_lut_params(problem.bits, problem.batch));
}

void BM_NvrtcCompileCold(benchmark::State& state, const std::string& arch) {
  const KernelSpec spec = default_spec();
  double compile_ms = 0.0;
  for (auto _ : state) {
    NvrtcCompiler compiler; // fresh memory tier: every iteration compiles
    bool hit = true;
    auto kernel = compiler.compile(spec, arch, &hit);
    if (hit) {
      state.SkipWithError("a fresh compiler reported a cache hit");
      return;
    }
    compile_ms = kernel->compile_ms;
    benchmark::DoNotOptimize(kernel);
  }
  state.counters["nvrtc_ms"] = compile_ms; // NVRTC's own time, without program setup
}

void BM_NvrtcCompileWarm(benchmark::State& state, const std::string& arch) {
  const KernelSpec spec = default_spec();
  NvrtcCompiler compiler;
  (void)compiler.compile(spec, arch); // fills the memory tier
  for (auto _ : state) {
    bool hit = false;
    auto kernel = compiler.compile(spec, arch, &hit);
    if (!hit) {
      state.SkipWithError("the second compile missed the memory cache");
      return;
    }
    benchmark::DoNotOptimize(kernel);
  }
}

// The whole plan of the default variant (main kernel + split reduction) in the emulator; the host
// compile happens once before timing (disk cache). `counted`: with the emulator's hardware counters
// (the instrumented build; emu/counters.hpp), whose cost over the plain launch this shows.
void BM_EmuLaunchDefault(benchmark::State& state, bool counted) {
  const Problem problem{
      .m = state.range(0), .k = state.range(1), .batch = 1, .bits = 3, .group = 128};
  const LaunchPlan plan = make_launch_plan(problem, default_lut_params(problem.bits, 1));
  BcqOptions options;
  options.bits = problem.bits;
  options.group = problem.group;
  options.rounds = 0; // any valid weights do: the launch's cost does not depend on their values
  const PackedBcq weights = pack_bcq(
      quantize_bcq(gaussian_weights(problem.m, problem.k, 1), problem.m, problem.k, options));
  const std::vector<std::uint16_t> x = random_activations(1, problem.k, 2);
  auto upload = [](const auto& host) {
    emu::DeviceBuffer buffer(std::max<std::size_t>(1, host.size()) * sizeof(host[0]));
    buffer.upload(host.data(), host.size() * sizeof(host[0]));
    return buffer;
  };
  emu::DeviceBuffer bit_words = upload(weights.bit_words);
  emu::DeviceBuffer alpha = upload(weights.alpha);
  emu::DeviceBuffer offset = upload(weights.offset);
  emu::DeviceBuffer xs = upload(x);
  emu::DeviceBuffer y(static_cast<std::size_t>(problem.m) * 2);
  const std::map<std::string, emu::DeviceBuffer*> buffers = {
      {"bit_words", &bit_words}, {"alpha", &alpha}, {"offset", &offset}, {"x", &xs}, {"y", &y}};
  emu::LaunchCounters counters;
  emu::LaunchOptions launch;
  if (counted)
    launch.counters = &counters;
  try {
    emu::run_plan(plan, buffers, launch); // compiles (or loads from the disk cache) untimed
  } catch (const std::exception& e) {
    state.SkipWithError(e.what());
    return;
  }
  for (auto _ : state)
    emu::run_plan(plan, buffers, launch);
  if (counted)
    state.counters["smem_ld_conflict_factor"] = counters.shared_load.excess_factor();
  state.SetLabel(lut_label(problem, default_lut_params(problem.bits, 1)));
  state.counters["weights_per_s"] = benchmark::Counter(
      static_cast<double>(problem.m * problem.k), benchmark::Counter::kIsIterationInvariantRate);
}

BENCHMARK_CAPTURE(BM_EmuLaunchDefault, plain, false)
    ->Name("host/emu_launch/lut_default_q3_b1")
    ->Args({1024, 1024})
    ->Args({4096, 4096})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_EmuLaunchDefault, counted, true)
    ->Name("host/emu_launch_counted/lut_default_q3_b1")
    ->Args({1024, 1024})
    ->Args({4096, 4096})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

BENCHMARK_CAPTURE(BM_NvrtcCompileCold, sm_90, std::string("sm_90"))
    ->Name("host/nvrtc_compile_cold/lut_default_q3_b1/sm_90")
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_NvrtcCompileWarm, sm_90, std::string("sm_90"))
    ->Name("host/nvrtc_compile_warm/lut_default_q3_b1/sm_90")
    ->Unit(benchmark::kMicrosecond);

} // namespace
} // namespace lutgemm::bench
