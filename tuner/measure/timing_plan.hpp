#pragma once
// Measurement planning that does not need a device: how many weight copies to rotate so every
// timed launch reads cold weights, and which leaders to re-measure (interleaved) before a winner is
// chosen, so noise does not pick it.
#include <cstdint>
#include <string>
#include <vector>

namespace lutgemm::measure {

struct ColdL2Plan {
  int copies = 1;               // weight buffer sets to rotate through
  std::int64_t total_bytes = 0; // copies * bytes_per_copy
  bool flush = false;           // rotation does not fit in memory: flush L2 between launches
};

// Rotating `copies` sets of `bytes_per_copy` so that they add up to more than 2x the L2 size,
// within `memory_budget_bytes`; when they would not fit, a flush is planned instead.
ColdL2Plan plan_cold_l2(std::int64_t bytes_per_copy, std::int64_t l2_bytes,
                        std::int64_t memory_budget_bytes);

// Indices of the candidates whose time is within `within` (fraction, 0.03 = 3%) of the best, the
// best first, then by time. Non-positive times are ignored.
std::vector<std::size_t> leaders(const std::vector<double>& times, double within = 0.03);

// An interleaved re-measurement order: `rounds` passes over the leaders, each pass starting one
// further along, so slow drift (clocks, temperature) spreads evenly over all of them.
std::vector<std::size_t> interleaved_schedule(std::size_t leader_count, int rounds);

// The winner after re-measurement: the index (into `samples_per_leader`) with the lowest median.
std::size_t pick_winner(const std::vector<std::vector<double>>& samples_per_leader);

} // namespace lutgemm::measure
