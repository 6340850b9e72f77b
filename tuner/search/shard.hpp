#pragma once
// `lutgemm tune --shard I/N`: N independent tuners (one per GPU, node or Slurm array task) each
// take a deterministic 1/N of the (problem, variant) work the search strategy chose, so that
// together they cover it exactly once. The split depends only on the work list (problem keys,
// variant labels, predicted costs), never on the machine or the clock: every shard of the same
// command computes the same partition and keeps its own part.
#include <cstdint>
#include <string>
#include <vector>

namespace lutgemm::search {

struct ShardSpec {
  int index = 0; // I, 0-based
  int count = 1; // N; 1 = all the work
  bool all() const { return count == 1; }
  std::string text() const; // "I/N"; "" for all the work (runs.shard)
};

// Parses "I/N" (0 <= I < N, N >= 1); UsageError naming the value otherwise.
ShardSpec parse_shard(const std::string& text);

struct ShardItem {
  std::string problem; // problem key
  std::string label;   // variant label
  double cost_us = 0;  // predicted cost (the model's total_us); 0 or less: unknown
};

// The shard (0..count-1) of each item: the longest predicted items first (ties by problem, then
// label), each to the least loaded shard so far (ties to the lowest index). Costs are rounded to
// nanoseconds, so the loads are exact integers and the result is the same on every machine; an
// unknown cost counts as 1 ns, which balances such items by number.
std::vector<int> assign_shards(const std::vector<ShardItem>& items, int count);

} // namespace lutgemm::search
