#pragma once
// From the emulator's counters of a variant's main launch (emu/counters.hpp) to the model's
// ObservedCounters. Counts are taken at the emulator's proxy shape; they are divided by the weight
// slots the launch covered (row blocks x rows per block x K: a partial row block still walks its
// whole tile), so that scaled by the real shape's slots they give its totals.
#include "emu/counters.hpp"
#include "kernels/lut_params.hpp"
#include "model/observed_counters.hpp"
#include "problem/problem.hpp"

namespace lutgemm::search {

// Weight slots of `shape` under `params`: ceil(M / rows per block) x rows per block x K.
double weight_slots(const Problem& shape, const LutParams& params);

model::ObservedCounters observed_from(const emu::LaunchCounters& counters, const Problem& shape,
                                      const LutParams& params);

} // namespace lutgemm::search
