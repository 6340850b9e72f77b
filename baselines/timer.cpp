#include "baselines/timer.hpp"

#include "cuda/event.hpp"
#include "cuda/event_sampling.hpp"

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

namespace {
// The loop's samples (microseconds per operation) as the interface's milliseconds.
std::vector<double> to_ms(const std::vector<double>& us) {
  std::vector<double> ms;
  ms.reserve(us.size());
  for (double t : us)
    ms.push_back(t / 1000.0);
  return ms;
}
} // namespace

TimingSamples EventTimer::time(const EnqueueFn& enqueue) {
  cuda::Stream stream;
  // As for the LUT-GEMM variants: the timed warm-up sizes the samples, many back-to-back
  // operations, each on the next weight copy, per event pair, so launch latency is paid once
  // per sample; the operations are numbered on from the warm-up's.
  cuda::EventSampling how;
  how.warmup = options_.warmup;
  const auto sampled = cuda::sample_with_events(
      stream.get(), how, [&](std::size_t i, CUstream s) { enqueue(static_cast<int>(i), s); },
      [&](const cuda::SamplingProgress& p) {
        const auto n = static_cast<int>(p.us.size());
        if (n == 0 || n >= options_.max_samples)
          return n < options_.max_samples; // the first sample unless max_samples forbids any
        const std::vector<double> ms = to_ms(p.us);
        const double total_ms =
            std::accumulate(ms.begin(), ms.end(), 0.0) * p.operations_per_sample;
        const bool enough = n >= options_.min_samples && total_ms >= options_.min_total_ms;
        if (enough && relative_standard_error(ms) <= options_.target_rel_noise)
          return false;
        return !(total_ms >= options_.max_total_ms && n >= options_.min_samples);
      });
  TimingSamples samples;
  samples.ms = to_ms(sampled.us);
  samples.method =
      fmt::format("cuda events around {} back-to-back repetitions, {} warm-up, {} samples, "
                  "mean's relative standard error {:.2f}%",
                  sampled.operations_per_sample, sampled.warmup, samples.ms.size(),
                  100.0 * relative_standard_error(samples.ms));
  return samples;
}

TimingSamples StopPolicyTimer::time(const EnqueueFn& enqueue) {
  cuda::Stream stream;
  cuda::EventSampling how;
  how.warmup = 3;
  how.size_from_warmup = false;
  how.restart_numbering = true;
  measure::StopReason reason = measure::StopReason::keep_going;
  const auto sampled = cuda::sample_with_events(
      stream.get(), how, [&](std::size_t i, CUstream s) { enqueue(static_cast<int>(i), s); },
      [&](const cuda::SamplingProgress& p) {
        if (p.us.empty())
          return true;
        reason = measure::should_stop(p.us, p.elapsed_s, stop_);
        return reason == measure::StopReason::keep_going;
      });
  TimingSamples samples;
  samples.ms = to_ms(sampled.us);
  samples.method = fmt::format("cuda events, {} warm-up, stopped: {}", sampled.warmup,
                               measure::to_string(reason));
  return samples;
}

} // namespace lutgemm::baselines
