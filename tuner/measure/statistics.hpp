#pragma once
// Sample statistics and the noise-based stopping rule (nvbench's: at least 10 samples, stop when
// the relative standard deviation of the mean is <= 0.5% after a minimum time, or at a time limit).
#include <string>
#include <vector>

namespace lutgemm::measure {

struct Summary {
  int samples = 0;
  double median = 0, q1 = 0, q3 = 0, iqr = 0, min = 0, max = 0, mean = 0;
  double stddev = 0;     // sample standard deviation (n - 1)
  double rel_stderr = 0; // stddev / sqrt(n) / mean: the noise of the mean, as a fraction
  double noise_pct() const { return rel_stderr * 100.0; }
};

// Quartiles by linear interpolation between order statistics (type 7, like numpy's default).
// Throws RuntimeError on an empty vector.
Summary summarize(std::vector<double> samples);

struct StopPolicy {
  int min_samples = 10;
  double max_rel_stderr = 0.005; // 0.5%
  double min_time_s = 0.05;      // keep sampling at least this long (sum of sample wall time)
  double time_limit_s = 2.0;     // give up converging after this long: store with its noise
  int max_samples = 100000;
};

enum class StopReason { keep_going, converged, time_limit, max_samples };
std::string to_string(StopReason reason);

// What to do after the samples so far, `elapsed_s` seconds after sampling started.
StopReason should_stop(const std::vector<double>& samples, double elapsed_s,
                       const StopPolicy& policy);

} // namespace lutgemm::measure
