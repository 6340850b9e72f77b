// lutgemm_bench: Google Benchmark over the host-side work (quantization, packing, compilation,
// emulated launches) and, with a CUDA device, the kernels and baselines. Benchmarks live in the
// other files of this folder, one area per file.
#include <benchmark/benchmark.h>

BENCHMARK_MAIN();
