#pragma once
// How baselines are timed: a small interface, so that the tuner times them with exactly its own
// measurement rules (tuner/measure/) by implementing OperationTimer, while the benchmarks and
// tests use EventTimer, a self-contained CUDA-event timer with a noise-based stopping rule.
#include <cuda.h>

#include <functional>
#include <string>
#include <vector>

namespace lutgemm::baselines {

// Issues repetition `iteration` (0, 1, ...) of the operation on `stream`, asynchronously.
// Providers rotate their weight copies by iteration so that repeated runs do not hit in L2.
using EnqueueFn = std::function<void(int iteration, CUstream stream)>;

struct TimingSamples {
  std::vector<double> ms; // one per sample (event pair / repetitions in it), in order
  std::string method;     // how they were taken, e.g. "cuda events, 5 warm-up, noise <= 0.5%"
};

class OperationTimer {
public:
  virtual ~OperationTimer() = default;
  virtual TimingSamples time(const EnqueueFn& enqueue) = 0;
};

struct EventTimerOptions {
  int warmup = 5;
  int min_samples = 10;
  int max_samples = 1000;
  double min_total_ms = 10.0;      // keep sampling at least this long
  double max_total_ms = 1000.0;    // and at most this long
  double target_rel_noise = 0.005; // stop once the mean's relative standard error is below this
};

// A CUDA event pair around each repetition on one stream (requires a current context).
class EventTimer final : public OperationTimer {
public:
  explicit EventTimer(EventTimerOptions options = {}) : options_(options) {}
  TimingSamples time(const EnqueueFn& enqueue) override;

private:
  EventTimerOptions options_;
};

double median(std::vector<double> values);
// Relative standard error of the mean (0 for fewer than two values).
double relative_standard_error(const std::vector<double>& values);

} // namespace lutgemm::baselines
