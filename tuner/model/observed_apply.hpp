#pragma once
// Puts what the emulator counted (ObservedCounters) in place of the workload's analytic
// shared-memory and atomics estimates, so that a verified variant is ranked on how it actually
// uses the memory system rather than on an expected bank-conflict factor.
#include "model/observed_counters.hpp"
#include "model/perf_model.hpp"

namespace lutgemm::model {

// `weights`: the weight elements the counts are scaled to (the per-weight figures times this give
// the real shape's totals); `outputs`: output elements (M x batch) for the atomics.
void apply_observed(KernelWorkload& workload, const ObservedCounters& observed, double weights,
                    double outputs);

} // namespace lutgemm::model
