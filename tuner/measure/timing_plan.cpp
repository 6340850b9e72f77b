#include "measure/timing_plan.hpp"

#include "common/error.hpp"
#include "measure/statistics.hpp"

#include <algorithm>
#include <numeric>

namespace lutgemm::measure {

ColdL2Plan plan_cold_l2(std::int64_t bytes_per_copy, std::int64_t l2_bytes,
                        std::int64_t memory_budget_bytes) {
  ColdL2Plan plan;
  if (bytes_per_copy <= 0)
    throw RuntimeError("plan_cold_l2: a weight copy must have a positive size");
  std::int64_t needed = 2 * l2_bytes / bytes_per_copy + 1; // strictly more than 2x L2
  plan.copies = static_cast<int>(std::max<std::int64_t>(1, needed));
  plan.total_bytes = plan.copies * bytes_per_copy;
  if (plan.total_bytes > memory_budget_bytes) {
    plan.copies = 1;
    plan.total_bytes = bytes_per_copy;
    plan.flush = true;
  }
  return plan;
}

std::vector<std::size_t> leaders(const std::vector<double>& times, double within) {
  std::vector<std::size_t> order;
  for (std::size_t i = 0; i < times.size(); ++i)
    if (times[i] > 0)
      order.push_back(i);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return times[a] < times[b]; });
  if (order.empty())
    return order;
  double limit = times[order.front()] * (1.0 + within);
  auto end =
      std::find_if(order.begin(), order.end(), [&](std::size_t i) { return times[i] > limit; });
  order.erase(end, order.end());
  return order;
}

std::vector<std::size_t> interleaved_schedule(std::size_t leader_count, int rounds) {
  std::vector<std::size_t> schedule;
  for (int r = 0; r < rounds; ++r)
    for (std::size_t i = 0; i < leader_count; ++i)
      schedule.push_back((i + static_cast<std::size_t>(r)) % leader_count);
  return schedule;
}

std::size_t pick_winner(const std::vector<std::vector<double>>& samples_per_leader) {
  if (samples_per_leader.empty())
    throw RuntimeError("pick_winner: no leaders");
  std::size_t best = samples_per_leader.size();
  double best_median = 0;
  for (std::size_t i = 0; i < samples_per_leader.size(); ++i) {
    if (samples_per_leader[i].empty())
      continue;
    double median = summarize(samples_per_leader[i]).median;
    if (best == samples_per_leader.size() || median < best_median) {
      best = i;
      best_median = median;
    }
  }
  if (best == samples_per_leader.size())
    throw RuntimeError("pick_winner: no leader has samples");
  return best;
}

} // namespace lutgemm::measure
