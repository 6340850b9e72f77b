#include "baselines/timer.hpp"

#include "cuda/event.hpp"

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
  int iteration = 0;
  for (int i = 0; i < options_.warmup; ++i)
    enqueue(iteration++, stream.get());
  stream.synchronize();

  TimingSamples samples;
  cuda::Event start, stop;
  double total = 0.0;
  while (static_cast<int>(samples.ms.size()) < options_.max_samples) {
    start.record(stream.get());
    enqueue(iteration++, stream.get());
    stop.record(stream.get());
    const double ms = cuda::elapsed_ms(start, stop);
    samples.ms.push_back(ms);
    total += ms;
    const bool enough = static_cast<int>(samples.ms.size()) >= options_.min_samples &&
                        total >= options_.min_total_ms;
    if (enough && relative_standard_error(samples.ms) <= options_.target_rel_noise)
      break;
    if (total >= options_.max_total_ms &&
        static_cast<int>(samples.ms.size()) >= options_.min_samples)
      break;
  }
  samples.method =
      fmt::format("cuda events per repetition, {} warm-up, {} samples, mean's "
                  "relative standard error {:.2f}%",
                  options_.warmup, samples.ms.size(), 100.0 * relative_standard_error(samples.ms));
  return samples;
}

} // namespace lutgemm::baselines
