// Host benchmarks of the quantizers and the packer (tuner/quant): what `lutgemm quantize` and
// every tune's problem set-up cost. Names: host/quant_<step>/M/K/bits[/rounds].
// The figure is host/quant_bcq/4096/4096/3/15 (BCQ, q = 3, 15 refinement rounds, all
// hardware threads).
#include "quant/bcq.hpp"
#include "quant/convert.hpp"
#include "quant/generate.hpp"
#include "quant/pack_bcq.hpp"
#include "quant/uniform.hpp"

#include <benchmark/benchmark.h>

#include <algorithm>
#include <thread>

namespace lutgemm::bench {
namespace {

constexpr std::uint64_t kSeed = 7;
constexpr std::int64_t kGroup = 128;

void weights_counters(benchmark::State& state, std::int64_t m, std::int64_t k) {
  state.SetItemsProcessed(state.iterations() * m * k); // weights per second
  state.SetBytesProcessed(state.iterations() * m * k * static_cast<std::int64_t>(sizeof(float)));
}

// Uniform round-to-nearest (single-threaded), g = 128.
void BM_QuantRtn(benchmark::State& state) {
  const std::int64_t m = state.range(0), k = state.range(1);
  const int bits = static_cast<int>(state.range(2));
  const auto w = gaussian_weights(m, k, kSeed);
  for (auto _ : state) {
    auto q = quantize_rtn(w, m, k, bits, kGroup);
    benchmark::DoNotOptimize(q.codes.data());
  }
  weights_counters(state, m, k);
}
BENCHMARK(BM_QuantRtn)
    ->Name("host/quant_rtn")
    ->Args({1024, 4096, 3})
    ->Args({4096, 4096, 3})
    ->Unit(benchmark::kMillisecond);

// Non-uniform BCQ with offsets, g = 128, on all hardware threads: greedy and uniform starts, then
// `rounds` rounds of alternating refinement.
void BM_QuantBcq(benchmark::State& state) {
  const std::int64_t m = state.range(0), k = state.range(1);
  BcqOptions options;
  options.bits = static_cast<int>(state.range(2));
  options.group = kGroup;
  options.rounds = static_cast<int>(state.range(3));
  const auto w = gaussian_weights(m, k, kSeed);
  for (auto _ : state) {
    auto q = quantize_bcq(w, m, k, options);
    benchmark::DoNotOptimize(q.signs.data());
  }
  weights_counters(state, m, k);
  state.counters["threads"] = std::max(1u, std::thread::hardware_concurrency());
}
BENCHMARK(BM_QuantBcq)
    ->Name("host/quant_bcq")
    ->Args({1024, 4096, 3, 0})
    ->Args({1024, 4096, 3, 5})
    ->Args({4096, 4096, 3, 15})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime(); // threaded: wall time, not the main thread's CPU time

// Exact uniform -> BCQ conversion of RTN codes.
void BM_QuantConvert(benchmark::State& state) {
  const std::int64_t m = state.range(0), k = state.range(1);
  const int bits = static_cast<int>(state.range(2));
  const auto w = gaussian_weights(m, k, kSeed);
  const auto q = quantize_rtn(w, m, k, bits, kGroup);
  for (auto _ : state) {
    auto bcq = uniform_to_bcq(q);
    benchmark::DoNotOptimize(bcq.signs.data());
  }
  weights_counters(state, m, k);
}
BENCHMARK(BM_QuantConvert)
    ->Name("host/quant_convert")
    ->Args({4096, 4096, 3})
    ->Unit(benchmark::kMillisecond);

// Packing into the kernels' bit-plane layout, and back.
void BM_QuantPack(benchmark::State& state) {
  const std::int64_t m = state.range(0), k = state.range(1);
  const int bits = static_cast<int>(state.range(2));
  const auto bcq = uniform_to_bcq(quantize_rtn(gaussian_weights(m, k, kSeed), m, k, bits, kGroup));
  for (auto _ : state) {
    auto packed = pack_bcq(bcq);
    benchmark::DoNotOptimize(packed.bit_words.data());
  }
  weights_counters(state, m, k);
}
BENCHMARK(BM_QuantPack)
    ->Name("host/quant_pack")
    ->Args({4096, 4096, 3})
    ->Args({4096, 4096, 4})
    ->Unit(benchmark::kMillisecond);

void BM_QuantUnpack(benchmark::State& state) {
  const std::int64_t m = state.range(0), k = state.range(1);
  const int bits = static_cast<int>(state.range(2));
  const auto packed =
      pack_bcq(uniform_to_bcq(quantize_rtn(gaussian_weights(m, k, kSeed), m, k, bits, kGroup)));
  for (auto _ : state) {
    auto bcq = unpack_bcq(packed);
    benchmark::DoNotOptimize(bcq.signs.data());
  }
  weights_counters(state, m, k);
}
BENCHMARK(BM_QuantUnpack)
    ->Name("host/quant_unpack")
    ->Args({4096, 4096, 3})
    ->Unit(benchmark::kMillisecond);

} // namespace
} // namespace lutgemm::bench
