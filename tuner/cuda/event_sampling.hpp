#pragma once
// The one CUDA-event timing loop. Every GPU time lutgemm takes goes through it: the cuda backend's
// LUT-GEMM variants, the baselines (the tuner's StopPolicyTimer and EventTimer,
// baselines/timer.hpp), the benchmark binary and cuBLASLt's algorithm selection. What differs
// between them is data (warm-up, whether the warm-up sizes the samples, how operations are
// numbered, when to stop), not a copy of the loop.
#include "cuda/driver_api.hpp"

#include <cstddef>
#include <functional>
#include <vector>

namespace lutgemm::cuda {

// Issues operation number `index` asynchronously on `stream` (callers rotate their buffers or
// weight copies by it, so that consecutive operations do not hit in L2).
using EnqueueOperation = std::function<void(std::size_t index, CUstream stream)>;

struct SamplingProgress {
  const std::vector<double>& us; // time per operation of each sample so far
  int operations_per_sample = 1;
  double elapsed_s = 0; // wall time since the first sample was queued
};
// Asked before every sample, the first time with no samples: true to take one more.
using TakeAnotherSample = std::function<bool(const SamplingProgress&)>;

struct EventSampling {
  // Operations before the first sample. When they size the samples, at least one runs.
  int warmup = 1;
  // true: one event pair around the warm-up estimates one operation's time, and each sample is an
  // event pair around measure::launches_per_sample(estimate) back-to-back operations (a few-us
  // GEMV is then not timed as launch latency). false: the warm-up is not timed and each sample
  // is one operation.
  bool size_from_warmup = true;
  // true: the samples' operations are numbered from 0 again after the warm-up; false: they go on.
  bool restart_numbering = false;
};

struct EventSamples {
  std::vector<double> us; // per sample: the event pair's span divided by its operations
  int operations_per_sample = 1;
  int warmup = 0; // operations run before the first sample
};

// Runs the warm-up, waits for it, then takes samples while `take_another` says so. Needs a current
// context; driver errors propagate as DriverError (as do the callbacks' exceptions).
EventSamples sample_with_events(CUstream stream, const EventSampling& how,
                                const EnqueueOperation& enqueue,
                                const TakeAnotherSample& take_another);

} // namespace lutgemm::cuda
