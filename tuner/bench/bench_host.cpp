// Host-side benchmarks of the kernel toolchain (run without a GPU): NVRTC compilation of the
// default LUT-GEMM variant, cold (a fresh compiler, nothing cached) and warm (a memory-cache hit,
// i.e. what the tuner pays for a variant it has already compiled).
#include "jit/nvrtc_compiler.hpp"
#include "kernels/lut_params.hpp"

#include <benchmark/benchmark.h>

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

BENCHMARK_CAPTURE(BM_NvrtcCompileCold, sm_90, std::string("sm_90"))
    ->Name("host/nvrtc_compile_cold/lut_default_q3_b1/sm_90")
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_NvrtcCompileWarm, sm_90, std::string("sm_90"))
    ->Name("host/nvrtc_compile_warm/lut_default_q3_b1/sm_90")
    ->Unit(benchmark::kMicrosecond);

} // namespace
} // namespace lutgemm::bench
