#include "measure/statistics.hpp"

#include "common/error.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace lutgemm::measure {
namespace {
double quantile(const std::vector<double>& sorted, double q) {
  double position = q * static_cast<double>(sorted.size() - 1);
  auto lower = static_cast<std::size_t>(std::floor(position));
  auto upper = std::min(lower + 1, sorted.size() - 1);
  double fraction = position - static_cast<double>(lower);
  return sorted[lower] + (sorted[upper] - sorted[lower]) * fraction;
}
} // namespace

Summary summarize(std::vector<double> samples) {
  if (samples.empty())
    throw RuntimeError("summarize: no samples");
  std::sort(samples.begin(), samples.end());
  Summary s;
  s.samples = static_cast<int>(samples.size());
  s.min = samples.front();
  s.max = samples.back();
  s.median = quantile(samples, 0.5);
  s.q1 = quantile(samples, 0.25);
  s.q3 = quantile(samples, 0.75);
  s.iqr = s.q3 - s.q1;
  double n = static_cast<double>(samples.size());
  s.mean = std::accumulate(samples.begin(), samples.end(), 0.0) / n;
  if (samples.size() > 1) {
    double squares = 0;
    for (double x : samples)
      squares += (x - s.mean) * (x - s.mean);
    s.stddev = std::sqrt(squares / (n - 1));
  }
  s.rel_stderr = s.mean != 0 ? s.stddev / std::sqrt(n) / std::abs(s.mean) : 0.0;
  return s;
}

std::string to_string(StopReason reason) {
  switch (reason) {
  case StopReason::keep_going:
    return "keep_going";
  case StopReason::converged:
    return "converged";
  case StopReason::time_limit:
    return "time_limit";
  case StopReason::max_samples:
    return "max_samples";
  }
  return "unknown";
}

StopReason should_stop(const std::vector<double>& samples, double elapsed_s,
                       const StopPolicy& policy) {
  auto n = static_cast<int>(samples.size());
  if (n >= policy.max_samples)
    return StopReason::max_samples;
  if (n >= policy.min_samples && elapsed_s >= policy.time_limit_s)
    return StopReason::time_limit;
  if (n < policy.min_samples || elapsed_s < policy.min_time_s)
    return StopReason::keep_going;
  return summarize(samples).rel_stderr <= policy.max_rel_stderr ? StopReason::converged
                                                                : StopReason::keep_going;
}

} // namespace lutgemm::measure
