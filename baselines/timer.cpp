#include "baselines/timer.hpp"

#include "cuda/event.hpp"
#include "measure/timing_loop.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>

namespace lutgemm::baselines {

double median(std::vector<double> values) {
  if (values.empty())
    return 0.0;
  const std::size_t mid = values.size() / 2;
  std::nth_element(values.begin(), values.begin() + mid, values.end());
  double upper = values[mid];
  if (values.size() % 2 == 1)
    return upper;
  const double lower = *std::max_element(values.begin(), values.begin() + mid);
  return 0.5 * (lower + upper);
}

double relative_standard_error(const std::vector<double>& values) {
  const std::size_t n = values.size();
  if (n < 2)
    return 0.0;
  const double mean = std::accumulate(values.begin(), values.end(), 0.0) / double(n);
  double sq = 0.0;
  for (double v : values)
    sq += (v - mean) * (v - mean);
  const double stddev = std::sqrt(sq / double(n - 1));
  return mean > 0.0 ? stddev / std::sqrt(double(n)) / mean : 0.0;
}

TimingSamples EventTimer::time(const EnqueueFn& enqueue) {
  cuda::Stream stream;
  cuda::Event start, stop;
  int iteration = 0;
  // The warm-up, queued back to back, also estimates one operation's time.
  const int warmup = std::max(1, options_.warmup);
  start.record(stream.get());
  for (int i = 0; i < warmup; ++i)
    enqueue(iteration++, stream.get());
  stop.record(stream.get());
  // As for the LUT-GEMM variants (tuner/measure/timing_loop.hpp): many back-to-back operations,
  // each on the next weight copy, per event pair, so launch latency is paid once per sample.
  const int per_sample =
      measure::launches_per_sample(1000.0 * cuda::elapsed_ms(start, stop) / warmup);

  TimingSamples samples;
  double total = 0.0;
  while (static_cast<int>(samples.ms.size()) < options_.max_samples) {
    start.record(stream.get());
    for (int r = 0; r < per_sample; ++r)
      enqueue(iteration++, stream.get());
    stop.record(stream.get());
    const double span_ms = cuda::elapsed_ms(start, stop);
    const double ms = span_ms / per_sample;
    samples.ms.push_back(ms);
    total += span_ms;
    const bool enough = static_cast<int>(samples.ms.size()) >= options_.min_samples &&
                        total >= options_.min_total_ms;
    if (enough && relative_standard_error(samples.ms) <= options_.target_rel_noise)
      break;
    if (total >= options_.max_total_ms &&
        static_cast<int>(samples.ms.size()) >= options_.min_samples)
      break;
  }
  samples.method = fmt::format(
      "cuda events around {} back-to-back repetitions, {} warm-up, {} samples, "
      "mean's relative standard error {:.2f}%",
      per_sample, warmup, samples.ms.size(), 100.0 * relative_standard_error(samples.ms));
  return samples;
}

} // namespace lutgemm::baselines
