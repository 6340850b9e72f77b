// lutgemm_bench: Google Benchmark over the host-side work (quantization, packing, compilation,
// emulated launches) and, with a CUDA device, the kernels and baselines (bench_gpu*.cpp). Without a
// device the GPU benchmarks are not registered; the binary says which it skipped and why (on
// stderr, so that --benchmark_format=json on stdout stays parseable) and runs the rest.
#include "bench_gpu.hpp"
#include "cuda/driver_api.hpp"

#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <cstdio>
#include <regex>

namespace {

// Google Benchmark's filter semantics: a regex, "-regex" negates, empty/"all" matches everything.
bool matches_filter(const std::string& name, const std::string& filter) {
  if (filter.empty() || filter == "all" || filter == ".")
    return true;
  try {
    if (filter[0] == '-')
      return !std::regex_search(name, std::regex(filter.substr(1)));
    return std::regex_search(name, std::regex(filter));
  } catch (const std::regex_error&) {
    return true;
  }
}

} // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv))
    return 1;

  const auto gpu_benchmarks = lutgemm::bench::declared_gpu_benchmarks();
  const lutgemm::cuda::DriverStatus& status = lutgemm::cuda::driver_status();
  if (status.ok()) {
    for (const auto& gpu : gpu_benchmarks)
      benchmark::RegisterBenchmark(gpu.name.c_str(),
                                   [run = gpu.run](benchmark::State& state) {
                                     // What fails on this device (a cuBLAS status, out of memory,
                                     // cuBLASLt on the emulated driver) skips this benchmark with
                                     // the reason instead of ending the whole run.
                                     try {
                                       run(state);
                                     } catch (const std::exception& e) {
                                       state.SkipWithError(e.what());
                                     }
                                   })
          ->UseManualTime()
          ->Unit(benchmark::kMicrosecond);
  } else {
    const std::string filter = benchmark::GetBenchmarkFilter();
    std::vector<std::string> skipped;
    for (const auto& gpu : gpu_benchmarks)
      if (matches_filter(gpu.name, filter))
        skipped.push_back(gpu.name);
    if (!skipped.empty()) {
      fmt::print(stderr, "lutgemm_bench: skipped {} GPU benchmark{}: {}\n", skipped.size(),
                 skipped.size() == 1 ? "" : "s", status.message);
      for (const auto& name : skipped)
        fmt::print(stderr, "  skipped {}\n", name);
    }
  }

  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
