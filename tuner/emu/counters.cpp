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

RequestCost shared_word_cost(const std::uint64_t* words, std::size_t n, CostScratch& scratch) {
  if (n == 0)
    return {};
  // Every word in a bank of its own (stride 1, or any permutation): conflict-free, the common case.
  std::uint32_t banks = 0;
  for (std::size_t i = 0; i < n; ++i)
    banks |= 1u << (words[i] % 32);
  if (static_cast<std::size_t>(__builtin_popcount(banks)) == n)
    return {1, 1};
  // Otherwise the distinct words of each bank: its first kept apart, the others listed (at most
  // 32 lanes, so a bank's list never overflows).
  CostScratch::BankWords& b = scratch.banks;
  std::uint32_t used = 0, busiest = 1;
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint64_t word = words[i];
    const unsigned bank = static_cast<unsigned>(word % 32);
    if (((used >> bank) & 1u) == 0) {
      used |= 1u << bank;
      b.first[bank] = word;
      b.count[bank] = 1;
      continue;
    }
    if (b.first[bank] == word)
      continue; // the same word: served by the same wavefront (a broadcast)
    std::uint32_t& count = b.count[bank];
    std::uint64_t* more = b.more[bank].data();
    bool seen = false;
    for (std::uint32_t j = 0; j + 1 < count && !seen; ++j)
      seen = more[j] == word;
    if (seen)
      continue;
    more[count - 1] = word;
    busiest = std::max(busiest, ++count);
  }
  return {busiest, 1};
}

RequestCost shared_request_cost(const LaneAccess* lanes, std::size_t n, CostScratch& scratch) {
  if (n == 0)
    return {};
  // Accesses of up to 4 bytes inside one word, by lanes of one warp: one phase of single words.
  if (n <= 32) {
    std::array<std::uint64_t, 32> words;
    bool single = true;
    for (std::size_t i = 0; i < n && single; ++i) {
      single = lanes[i].lane < 32 && (lanes[i].address % 4) + std::max(lanes[i].bytes, 1u) <= 4;
      words[i] = lanes[i].address / 4;
    }
    if (single)
      return shared_word_cost(words.data(), n, scratch);
  }
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

// Where an address lies: 0 neither, 1 shared, 2 global. A kept record of global memory has
// kGlobalTag added to its op (above the AccessOp values); a shared one is left as it is.
constexpr std::uint32_t kShared = 1, kGlobal = 2;
constexpr std::uint32_t kGlobalTag = 1u << 4;

// A record's operation and width in one word, to compare two records at once.
std::uint64_t op_and_bytes(const lutgemm_emu::AccessRecord& r) {
  return std::uint64_t(r.op) << 32 | r.bytes;
}

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

// Adds one request of `lanes` accesses of `bytes` each; `op`: the record's op, tagged if global.
void add_request(LaunchCounters& counters, std::uint32_t op, std::uint32_t bytes, std::size_t lanes,
                 const RequestCost& cost) {
  MemoryCounters& m =
      counters_for(counters, (op & kGlobalTag) != 0 ? kGlobal : kShared, op & (kGlobalTag - 1));
  m.requests += 1;
  m.units += cost.units;
  m.ideal_units += cost.ideal_units;
  m.lane_accesses += lanes;
  m.bytes += std::uint64_t(bytes) * lanes;
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
  // Each lane's records classified in place: shared ones (most) left as they are, global ones
  // tagged, those outside shared and device memory dropped.
  std::array<const lutgemm_emu::AccessRecord*, 32> logs{};
  std::array<std::uint32_t, 32> sizes{};
  std::uint32_t longest = 0;
  const std::uintptr_t static_bytes = spaces.static_hi - spaces.static_lo;
  const std::uintptr_t dynamic_bytes = spaces.dynamic_hi - spaces.dynamic_lo;
  for (std::uint32_t l = 0; l < count; ++l) {
    lutgemm_emu::Thread* t = lanes[l];
    lutgemm_emu::AccessRecord* log = t->log;
    std::uint32_t kept = 0;
    for (std::uint32_t i = 0; i < t->log_count; ++i) {
      const std::uintptr_t a = log[i].address;
      if (a - spaces.static_lo < static_bytes || a - spaces.dynamic_lo < dynamic_bytes) {
        if (kept != i)
          log[kept] = log[i];
        ++kept;
        continue;
      }
      if (space_of(a, spaces) != kGlobal)
        continue;
      log[kept] = log[i];
      log[kept].op |= kGlobalTag;
      ++kept;
    }
    t->log_count = 0;
    logs[l] = log;
    sizes[l] = kept;
    longest = std::max(longest, kept);
  }
  std::array<LaneAccess, 32> request;
  std::array<std::uint64_t, 32> words;
  for (std::uint32_t i = 0; i < longest; ++i) {
    // The common case: every lane with an i-th access makes the same small shared access, each
    // within one word; one request, costed from its words.
    std::uint32_t lead = 0;
    while (i >= sizes[lead])
      ++lead;
    const lutgemm_emu::AccessRecord& head = logs[lead][i];
    if ((head.op & kGlobalTag) == 0 && head.bytes <= 4) {
      const std::uint64_t kind = op_and_bytes(head);
      const std::uintptr_t misaligned = 4 - std::max(head.bytes, 1u); // highest in-word offset
      std::size_t taken = 0;
      bool uniform = true;
      for (std::uint32_t l = lead; l < count && uniform; ++l) {
        if (i >= sizes[l])
          continue;
        const lutgemm_emu::AccessRecord& a = logs[l][i];
        uniform = op_and_bytes(a) == kind && (a.address % 4) <= misaligned;
        words[taken++] = a.address / 4;
      }
      if (uniform) {
        add_request(counters, head.op, head.bytes, taken,
                    shared_word_cost(words.data(), taken, *scratch_));
        continue;
      }
    }
    // In general: the i-th access of each lane, grouped by (space, operation, width): one request
    // per group.
    std::uint32_t done = 0; // lanes whose i-th access was taken (bitmask)
    for (std::uint32_t l = 0; l < count; ++l) {
      if (i >= sizes[l] || (done >> l) & 1u)
        continue;
      const lutgemm_emu::AccessRecord& first = logs[l][i];
      std::size_t taken = 0;
      for (std::uint32_t o = l; o < count; ++o) {
        if (i >= sizes[o] || (done >> o) & 1u)
          continue;
        const lutgemm_emu::AccessRecord& a = logs[o][i];
        if (a.op != first.op || a.bytes != first.bytes)
          continue;
        done |= 1u << o;
        request[taken++] = LaneAccess{o, a.address, a.bytes};
      }
      add_request(counters, first.op, first.bytes, taken,
                  (first.op & kGlobalTag) == 0
                      ? shared_request_cost(request.data(), taken, *scratch_)
                      : global_request_cost(request.data(), taken, *scratch_));
    }
  }
}

} // namespace detail
} // namespace lutgemm::emu
