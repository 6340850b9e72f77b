#include "model/bank_conflicts.hpp"

#include <algorithm>
#include <array>
#include <map>
#include <mutex>
#include <tuple>
#include <vector>

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
  // Wider accesses are served per phase, as the hardware (and the emulator's counters) do it:
  // 8-byte loads per half warp, 16-byte loads per quarter warp; each phase needs one wavefront per
  // distinct 4-byte word in its busiest bank, so a conflict-free 16-byte lookup costs 4.
  const int phases = entry_bytes >= 16 ? 4 : entry_bytes >= 8 ? 2 : 1;
  const int lanes_per_phase = kLanes / phases;
  const int words_per_entry = std::max(entry_bytes / 4, 1);
  std::uint64_t state = 0x1234567ull;
  double total = 0;
  std::vector<std::int64_t> words;
  for (int trial = 0; trial < kTrials; ++trial) {
    for (int phase = 0; phase < phases; ++phase) {
      words.clear();
      for (int lane = phase * lanes_per_phase; lane < (phase + 1) * lanes_per_phase; ++lane) {
        const int copy = lane % copies; // neighbouring lanes use different copies
        const auto entry = static_cast<std::int64_t>(next_random(state) % entries);
        const std::int64_t first = ((entry * copies + copy) * entry_bytes) / 4;
        for (int w = 0; w < words_per_entry; ++w)
          words.push_back(first + w);
      }
      std::sort(words.begin(), words.end());
      std::array<int, kBanks> distinct_per_bank{};
      for (std::size_t i = 0; i < words.size(); ++i) {
        if (i == 0 || words[i] != words[i - 1])
          ++distinct_per_bank[words[i] % kBanks];
      }
      total += *std::max_element(distinct_per_bank.begin(), distinct_per_bank.end());
    }
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
