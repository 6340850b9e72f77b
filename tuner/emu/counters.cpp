#include "emu/counters.hpp"

#include "common/error.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <sstream>

namespace lutgemm::emu {

MemoryCounters& MemoryCounters::operator+=(const MemoryCounters& o) {
  requests += o.requests;
  units += o.units;
  ideal_units += o.ideal_units;
  lane_accesses += o.lane_accesses;
  bytes += o.bytes;
  return *this;
}

namespace {
// Every memory counter in one fixed order: the serialized form and the sum follow it.
template <class Counters, class F> void for_each_memory(Counters& c, F&& f) {
  f(c.shared_load);
  f(c.shared_store);
  f(c.shared_atomic);
  f(c.global_load);
  f(c.global_store);
  f(c.global_atomic);
}
} // namespace

LaunchCounters& LaunchCounters::operator+=(const LaunchCounters& o) {
  shared_load += o.shared_load;
  shared_store += o.shared_store;
  shared_atomic += o.shared_atomic;
  global_load += o.global_load;
  global_store += o.global_store;
  global_atomic += o.global_atomic;
  barriers += o.barriers;
  warp_ops += o.warp_ops;
  blocks += o.blocks;
  warps += o.warps;
  threads += o.threads;
  return *this;
}

std::string LaunchCounters::serialize() const {
  std::string out;
  for_each_memory(*this, [&](const MemoryCounters& m) {
    out += fmt::format("{} {} {} {} {} ", m.requests, m.units, m.ideal_units, m.lane_accesses,
                       m.bytes);
  });
  return out + fmt::format("{} {} {} {} {}", barriers, warp_ops, blocks, warps, threads);
}

LaunchCounters LaunchCounters::deserialize(const std::string& text) {
  LaunchCounters c;
  std::istringstream in(text);
  for_each_memory(c, [&](MemoryCounters& m) {
    in >> m.requests >> m.units >> m.ideal_units >> m.lane_accesses >> m.bytes;
  });
  in >> c.barriers >> c.warp_ops >> c.blocks >> c.warps >> c.threads;
  if (!in)
    throw RuntimeError(fmt::format("emulator: malformed counters '{}'", text));
  return c;
}

namespace detail {

RequestCost shared_request_cost(const std::vector<LaneAccess>& lanes) {
  if (lanes.empty())
    return {};
  unsigned widest = 0;
  for (const LaneAccess& l : lanes)
    widest = std::max(widest, l.bytes);
  // Lanes served together: a whole warp for up to 4 bytes, half a warp for 8, a quarter for 16.
  const unsigned lanes_per_phase = widest <= 4 ? 32 : widest <= 8 ? 16 : 8;
  // (phase, bank, word) of every 4-byte word touched; distinct words per (phase, bank).
  std::vector<std::array<std::uint64_t, 3>> touched;
  for (const LaneAccess& l : lanes) {
    const std::uint64_t first = l.address / 4, last = (l.address + std::max(l.bytes, 1u) - 1) / 4;
    for (std::uint64_t word = first; word <= last; ++word)
      touched.push_back({l.lane / lanes_per_phase, word % 32, word});
  }
  std::sort(touched.begin(), touched.end());
  touched.erase(std::unique(touched.begin(), touched.end()), touched.end());
  RequestCost cost;
  std::size_t i = 0;
  while (i < touched.size()) {
    const std::uint64_t phase = touched[i][0];
    std::uint64_t busiest = 0;
    while (i < touched.size() && touched[i][0] == phase) {
      const std::uint64_t bank = touched[i][1];
      std::uint64_t words = 0;
      for (; i < touched.size() && touched[i][0] == phase && touched[i][1] == bank; ++i)
        ++words;
      busiest = std::max(busiest, words);
    }
    cost.units += busiest;
    cost.ideal_units += 1;
  }
  return cost;
}

RequestCost global_request_cost(const std::vector<LaneAccess>& lanes) {
  std::vector<std::uint64_t> sectors;
  std::uint64_t bytes = 0;
  for (const LaneAccess& l : lanes) {
    const unsigned n = std::max(l.bytes, 1u);
    bytes += n;
    for (std::uint64_t s = l.address / 32; s <= (l.address + n - 1) / 32; ++s)
      sectors.push_back(s);
  }
  std::sort(sectors.begin(), sectors.end());
  sectors.erase(std::unique(sectors.begin(), sectors.end()), sectors.end());
  RequestCost cost;
  cost.units = sectors.size();
  cost.ideal_units = (bytes + 31) / 32;
  return cost;
}

namespace {
MemoryCounters& counters_for(LaunchCounters& c, Space space, Op op) {
  if (space == Space::shared)
    return op == Op::load ? c.shared_load : op == Op::store ? c.shared_store : c.shared_atomic;
  return op == Op::load ? c.global_load : op == Op::store ? c.global_store : c.global_atomic;
}
} // namespace

void AccessLog::flush_warp(std::uint32_t warp, LaunchCounters& counters) {
  const std::uint32_t first = warp * 32;
  if (first >= logs_.size())
    return;
  const std::uint32_t lanes = std::min<std::uint32_t>(32, std::uint32_t(logs_.size()) - first);
  std::size_t longest = 0;
  for (std::uint32_t l = 0; l < lanes; ++l)
    longest = std::max(longest, logs_[first + l].size());
  for (std::size_t i = 0; i < longest; ++i) {
    // The i-th access of each lane, grouped by (space, operation, width): one request per group.
    std::uint32_t done = 0; // lanes whose i-th access was taken (bitmask)
    for (std::uint32_t l = 0; l < lanes; ++l) {
      const auto& log = logs_[first + l];
      if (i >= log.size() || (done >> l) & 1u)
        continue;
      const Access& lead = log[i];
      scratch_.clear();
      for (std::uint32_t o = l; o < lanes; ++o) {
        const auto& other = logs_[first + o];
        if (i >= other.size() || (done >> o) & 1u)
          continue;
        const Access& a = other[i];
        if (a.space != lead.space || a.op != lead.op || a.bytes != lead.bytes)
          continue;
        done |= 1u << o;
        scratch_.push_back({o, a.address, a.bytes});
      }
      const RequestCost cost = lead.space == Space::shared ? shared_request_cost(scratch_)
                                                           : global_request_cost(scratch_);
      MemoryCounters& m = counters_for(counters, lead.space, lead.op);
      m.requests += 1;
      m.units += cost.units;
      m.ideal_units += cost.ideal_units;
      m.lane_accesses += scratch_.size();
      m.bytes += std::uint64_t(lead.bytes) * scratch_.size();
    }
  }
  for (std::uint32_t l = 0; l < lanes; ++l)
    logs_[first + l].clear();
}

void AccessLog::flush_all(LaunchCounters& counters) {
  for (std::uint32_t w = 0; w < (logs_.size() + 31) / 32; ++w)
    flush_warp(w, counters);
}

} // namespace detail
} // namespace lutgemm::emu
