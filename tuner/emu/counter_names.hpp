#pragma once
// The emulator's counters under the metric names Nsight Compute uses, so that `lutgemm profile`
// output, the stored JSON (measurements.counters) and an ncu report can be read side by side.
// Counters with no Nsight Compute equivalent carry an "emu__" prefix.
#include "emu/counters.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <utility>
#include <vector>

namespace lutgemm::emu {

// (metric name, value) in a fixed order: memory and launch counts, derived ratios, then operation
// counts (Nsight Compute sums first, then each kind per thread and per warp).
std::vector<std::pair<std::string, double>> named_counters(const LaunchCounters& counters);

// The same as a JSON object (metric name -> number), in that order.
nlohmann::ordered_json counters_json(const LaunchCounters& counters);

} // namespace lutgemm::emu
