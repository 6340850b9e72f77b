#include "emu/counters.hpp"

#include "common/error.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <memory>
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
  for (int k = 0; k < lutgemm_emu::kOpKinds; ++k) {
    thread_ops[k] += o.thread_ops[k];
    warp_ops_by_kind[k] += o.warp_ops_by_kind[k];
  }
  return *this;
}

std::string LaunchCounters::serialize() const {
  std::string out;
  for_each_memory(*this, [&](const MemoryCounters& m) {
    out += fmt::format("{} {} {} {} {} ", m.requests, m.units, m.ideal_units, m.lane_accesses,
                       m.bytes);
  });
  out += fmt::format("{} {} {} {} {}", barriers, warp_ops, blocks, warps, threads);
  for (int k = 0; k < lutgemm_emu::kOpKinds; ++k)
    out += fmt::format(" {} {}", thread_ops[k], warp_ops_by_kind[k]);
  return out;
}

LaunchCounters LaunchCounters::deserialize(const std::string& text) {
  LaunchCounters c;
  std::istringstream in(text);
  for_each_memory(c, [&](MemoryCounters& m) {
    in >> m.requests >> m.units >> m.ideal_units >> m.lane_accesses >> m.bytes;
  });
  in >> c.barriers >> c.warp_ops >> c.blocks >> c.warps >> c.threads;
  for (int k = 0; k < lutgemm_emu::kOpKinds; ++k)
    in >> c.thread_ops[k] >> c.warp_ops_by_kind[k];
  if (!in)
    throw RuntimeError(fmt::format("emulator: malformed counters '{}'", text));
  return c;
}

namespace detail {

namespace {

// Sorts a few keys in place: insertion sort, linear on the (usual) already ordered input of a
// coalesced or stride-1 request; std::sort for long runs.
void sort_keys(std::uint64_t* keys, std::size_t n) {
  if (n > 64) {
    std::sort(keys, keys + n);
    return;
  }
  for (std::size_t i = 1; i < n; ++i) {
    const std::uint64_t v = keys[i];
    std::size_t j = i;
    for (; j > 0 && keys[j - 1] > v; --j)
      keys[j] = keys[j - 1];
    keys[j] = v;
  }
}

} // namespace

RequestCost shared_request_cost(const LaneAccess* lanes, std::size_t n, CostScratch& scratch) {
  if (n == 0)
    return {};
  unsigned widest_lane = 0;
  bool ordered = true; // lanes in increasing order, so that each phase's lanes are contiguous
  for (std::size_t i = 0; i < n; ++i) {
    widest_lane = std::max(widest_lane, lanes[i].bytes);
    ordered = ordered && (i == 0 || lanes[i].lane > lanes[i - 1].lane);
  }
  if (widest_lane <= 16 && ordered) {
    const unsigned shift = widest_lane <= 4 ? 5 : widest_lane <= 8 ? 4 : 3;
    CostScratch::BankWords& b = scratch.banks;
    RequestCost cost;
    std::uint32_t busiest = 0;
    std::uint32_t used = 0; // banks with a word in this phase
    unsigned phase = lanes[0].lane >> shift;
    bool overflow = false;
    for (std::size_t i = 0; i < n && !overflow; ++i) {
      const LaneAccess& l = lanes[i];
      if ((l.lane >> shift) != phase) { // the last phase took its busiest bank's words
        cost.units += busiest;
        cost.ideal_units += 1;
        used = 0;
        busiest = 0;
        phase = l.lane >> shift;
      }
      const std::uint64_t first = l.address / 4, last = (l.address + std::max(l.bytes, 1u) - 1) / 4;
      for (std::uint64_t word = first; word <= last; ++word) {
        const unsigned bank = static_cast<unsigned>(word % 32);
        if (((used >> bank) & 1u) == 0) {
          used |= 1u << bank;
          b.first[bank] = word;
          b.count[bank] = 1;
          busiest = std::max<std::uint32_t>(busiest, 1);
          continue;
        }
        if (b.first[bank] == word)
          continue; // the same word: served by the same wavefront
        std::uint32_t& count = b.count[bank];
        auto& more = b.more[bank];
        if (std::find(more.begin(), more.begin() + (count - 1), word) != more.begin() + (count - 1))
          continue;
        if (count == CostScratch::BankWords::kMost) {
          overflow = true;
          break;
        }
        more[count - 1] = word;
        busiest = std::max(busiest, ++count);
      }
    }
    if (!overflow) {
      cost.units += busiest;
      cost.ideal_units += 1;
      return cost;
    }
  }
  return shared_request_cost_sorted(lanes, n, scratch);
}

RequestCost shared_request_cost_sorted(const LaneAccess* lanes, std::size_t n,
                                       CostScratch& scratch) {
  if (n == 0)
    return {};
  unsigned widest = 0;
  std::size_t words = 0;
  for (std::size_t i = 0; i < n; ++i) {
    widest = std::max(widest, lanes[i].bytes);
    words += (std::max(lanes[i].bytes, 1u) + 3) / 4 + 1;
  }
  // Lanes served together: a whole warp for up to 4 bytes, half a warp for 8, a quarter for 16.
  const unsigned phase_shift = widest <= 4 ? 5 : widest <= 8 ? 4 : 3;
  // Key of every 4-byte word touched: phase above bit 48 (user addresses are below 2^47, so words
  // below 2^45), word below; sorted, equal keys (a broadcast) count once.
  std::uint64_t* keys = scratch.key_buffer(words);
  std::size_t count = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const LaneAccess& l = lanes[i];
    const std::uint64_t phase = std::uint64_t(l.lane >> phase_shift) << 48;
    const std::uint64_t first = l.address / 4, last = (l.address + std::max(l.bytes, 1u) - 1) / 4;
    for (std::uint64_t word = first; word <= last; ++word)
      keys[count++] = phase | word;
  }
  sort_keys(keys, count);
  RequestCost cost;
  std::array<std::uint32_t, 32> per_bank{};
  std::uint64_t phase = keys[0] >> 48;
  unsigned busiest = 0;
  for (std::size_t i = 0; i < count; ++i) {
    if (i > 0 && keys[i] == keys[i - 1])
      continue;
    if ((keys[i] >> 48) != phase) { // a new phase: the last one took its busiest bank's words
      cost.units += busiest;
      cost.ideal_units += 1;
      per_bank.fill(0);
      busiest = 0;
      phase = keys[i] >> 48;
    }
    busiest = std::max<unsigned>(busiest, ++per_bank[keys[i] % 32]);
  }
  cost.units += busiest;
  cost.ideal_units += 1;
  return cost;
}

RequestCost shared_request_cost(const std::vector<LaneAccess>& lanes) {
  auto scratch = std::make_unique<CostScratch>();
  return shared_request_cost(lanes.data(), lanes.size(), *scratch);
}

RequestCost global_request_cost(const LaneAccess* lanes, std::size_t n, CostScratch& scratch) {
  std::size_t most = 0;
  for (std::size_t i = 0; i < n; ++i)
    most += std::max(lanes[i].bytes, 1u) / 32 + 2;
  std::uint64_t* sectors = scratch.key_buffer(most);
  std::size_t count = 0;
  std::uint64_t bytes = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const unsigned b = std::max(lanes[i].bytes, 1u);
    bytes += b;
    for (std::uint64_t s = lanes[i].address / 32; s <= (lanes[i].address + b - 1) / 32; ++s)
      sectors[count++] = s;
  }
  sort_keys(sectors, count);
  RequestCost cost;
  for (std::size_t i = 0; i < count; ++i)
    cost.units += i == 0 || sectors[i] != sectors[i - 1];
  cost.ideal_units = (bytes + 31) / 32;
  return cost;
}

RequestCost global_request_cost(const std::vector<LaneAccess>& lanes) {
  auto scratch = std::make_unique<CostScratch>();
  return global_request_cost(lanes.data(), lanes.size(), *scratch);
}

namespace {

constexpr std::size_t kInitialLogRecords = 512;

// The address space of a record, kept above its operation bits: 0 neither, 1 shared, 2 global.
constexpr std::uint32_t kSpaceShift = 4;
constexpr std::uint32_t kShared = 1, kGlobal = 2;

std::uint32_t space_of(std::uintptr_t a, const AddressSpaces& s) {
  if ((a >= s.static_lo && a < s.static_hi) || (a >= s.dynamic_lo && a < s.dynamic_hi))
    return kShared;
  // Global if inside a device buffer; anything else (the argument array, host memory a kernel
  // was wrongly given) is not device memory.
  if (s.device_ranges == nullptr)
    return 0;
  const auto& ranges = *s.device_ranges;
  auto it = std::upper_bound(ranges.begin(), ranges.end(), std::make_pair(a, UINTPTR_MAX));
  return it != ranges.begin() && a < std::prev(it)->second ? kGlobal : 0;
}

MemoryCounters& counters_for(LaunchCounters& c, std::uint32_t space, std::uint32_t op) {
  if (space == kShared)
    return op == lutgemm_emu::kAccessLoad    ? c.shared_load
           : op == lutgemm_emu::kAccessStore ? c.shared_store
                                             : c.shared_atomic;
  return op == lutgemm_emu::kAccessLoad    ? c.global_load
         : op == lutgemm_emu::kAccessStore ? c.global_store
                                           : c.global_atomic;
}

} // namespace

std::uint64_t* CostScratch::key_buffer(std::size_t n) {
  if (keys.size() < n)
    keys.resize(std::max<std::size_t>(n, 256));
  return keys.data();
}

AccessLog::AccessLog() : scratch_(std::make_unique<CostScratch>()) {}
AccessLog::~AccessLog() = default;

void AccessLog::attach(lutgemm_emu::Thread* t) {
  if (buffers_.size() <= t->linear)
    buffers_.resize(t->linear + 1);
  auto& buffer = buffers_[t->linear];
  if (buffer.empty())
    buffer.resize(kInitialLogRecords);
  t->log = buffer.data();
  t->log_count = 0;
  t->log_capacity = static_cast<std::uint32_t>(buffer.size());
}

void AccessLog::grow(lutgemm_emu::Thread* t) {
  auto& buffer = buffers_.at(t->linear);
  buffer.resize(buffer.size() * 2);
  t->log = buffer.data();
  t->log_capacity = static_cast<std::uint32_t>(buffer.size());
}

void AccessLog::flush_warp(lutgemm_emu::Thread* const* lanes, std::uint32_t count,
                           const AddressSpaces& spaces, LaunchCounters& counters) {
  // Each lane's records classified in place; those outside shared and device memory dropped.
  std::array<const lutgemm_emu::AccessRecord*, 32> logs{};
  std::array<std::uint32_t, 32> sizes{};
  std::uint32_t longest = 0;
  for (std::uint32_t l = 0; l < count; ++l) {
    lutgemm_emu::Thread* t = lanes[l];
    lutgemm_emu::AccessRecord* log = t->log;
    std::uint32_t kept = 0;
    for (std::uint32_t i = 0; i < t->log_count; ++i) {
      const std::uint32_t space = space_of(log[i].address, spaces);
      if (space == 0)
        continue;
      log[kept] = log[i];
      log[kept].op = (log[i].op & ((1u << kSpaceShift) - 1)) | (space << kSpaceShift);
      ++kept;
    }
    t->log_count = 0;
    logs[l] = log;
    sizes[l] = kept;
    longest = std::max(longest, kept);
  }
  std::array<LaneAccess, 32> request;
  for (std::uint32_t i = 0; i < longest; ++i) {
    // The i-th access of each lane, grouped by (space, operation, width): one request per group.
    std::uint32_t done = 0; // lanes whose i-th access was taken (bitmask)
    for (std::uint32_t l = 0; l < count; ++l) {
      if (i >= sizes[l] || (done >> l) & 1u)
        continue;
      const lutgemm_emu::AccessRecord& lead = logs[l][i];
      std::size_t taken = 0;
      for (std::uint32_t o = l; o < count; ++o) {
        if (i >= sizes[o] || (done >> o) & 1u)
          continue;
        const lutgemm_emu::AccessRecord& a = logs[o][i];
        if (a.op != lead.op || a.bytes != lead.bytes)
          continue;
        done |= 1u << o;
        request[taken++] = LaneAccess{o, a.address, a.bytes};
      }
      const std::uint32_t space = lead.op >> kSpaceShift;
      const RequestCost cost = space == kShared
                                   ? shared_request_cost(request.data(), taken, *scratch_)
                                   : global_request_cost(request.data(), taken, *scratch_);
      MemoryCounters& m = counters_for(counters, space, lead.op & ((1u << kSpaceShift) - 1));
      m.requests += 1;
      m.units += cost.units;
      m.ideal_units += cost.ideal_units;
      m.lane_accesses += taken;
      m.bytes += std::uint64_t(lead.bytes) * taken;
    }
  }
}

} // namespace detail
} // namespace lutgemm::emu
