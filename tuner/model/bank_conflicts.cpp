#include "model/bank_conflicts.hpp"

#include <algorithm>
#include <array>
#include <map>
#include <mutex>
#include <tuple>

namespace lutgemm::model {
namespace {

constexpr int kLanes = 32;
constexpr int kBanks = 32;
constexpr int kTrials = 4096;

// splitmix64: a tiny deterministic generator, so the factor never depends on the platform's
// standard library.
std::uint64_t next_random(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

double simulate(int entries, int entry_bytes, int copies) {
  std::uint64_t state = 0x1234567ull;
  double total = 0;
  for (int trial = 0; trial < kTrials; ++trial) {
    std::array<std::int64_t, kLanes> words{};
    for (int lane = 0; lane < kLanes; ++lane) {
      const int copy = lane % copies; // neighbouring lanes use different copies
      const auto entry = static_cast<std::int64_t>(next_random(state) % entries);
      words[lane] = ((entry * copies + copy) * entry_bytes) / 4;
    }
    std::sort(words.begin(), words.end());
    std::array<int, kBanks> distinct_per_bank{};
    for (int lane = 0; lane < kLanes; ++lane) {
      if (lane == 0 || words[lane] != words[lane - 1])
        ++distinct_per_bank[words[lane] % kBanks];
    }
    total += *std::max_element(distinct_per_bank.begin(), distinct_per_bank.end());
  }
  return total / kTrials;
}

} // namespace

double expected_bank_conflict_factor(int entries, int entry_bytes, int copies) {
  entries = std::max(entries, 1);
  entry_bytes = std::max(entry_bytes, 1);
  copies = std::clamp(copies, 1, kLanes);
  static std::mutex mutex;
  static std::map<std::tuple<int, int, int>, double> cache;
  std::lock_guard lock(mutex);
  const auto key = std::make_tuple(entries, entry_bytes, copies);
  if (auto it = cache.find(key); it != cache.end())
    return it->second;
  const double factor = simulate(entries, entry_bytes, copies);
  cache.emplace(key, factor);
  return factor;
}

} // namespace lutgemm::model
