#pragma once
// How baselines are timed: a small interface, so that the tuner times them with exactly its own
// measurement rules (tuner/measure/) through StopPolicyTimer, while the tests use EventTimer, a
// CUDA-event timer with its own noise-based stopping rule. Both take their samples with the one
// CUDA-event loop (tuner/cuda/event_sampling.hpp); the tuner's search layer sees only this header.
#include "measure/statistics.hpp"

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

// The tuner's rules: 3 untimed warm-ups, one operation per event pair (numbered from 0 again),
// stopped by measure::should_stop. Requires a current context.
class StopPolicyTimer final : public OperationTimer {
public:
  explicit StopPolicyTimer(measure::StopPolicy stop) : stop_(stop) {}
  TimingSamples time(const EnqueueFn& enqueue) override;

private:
  measure::StopPolicy stop_;
};

double median(std::vector<double> values);
// Relative standard error of the mean (0 for fewer than two values).
double relative_standard_error(const std::vector<double>& values);

} // namespace lutgemm::baselines
