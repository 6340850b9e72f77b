#include "emu/counters.hpp"

#include "common/error.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstring>
#include <memory>
#include <mutex>
#include <sstream>
#include <tuple>

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

// The set bits of a bank mask, inline (the default x86-64 target has no popcnt instruction, and
// the library call would cost more than this).
std::size_t bit_count(std::uint32_t v) {
  v = v - ((v >> 1) & 0x55555555u);
  v = (v & 0x33333333u) + ((v >> 2) & 0x33333333u);
  return (((v + (v >> 4)) & 0x0f0f0f0fu) * 0x01010101u) >> 24;
}

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
  if (bit_count(banks) == n)
    return {1, 1};
  return shared_word_conflicts(words, n, scratch);
}

RequestCost shared_word_conflicts(const std::uint64_t* words, std::size_t n, CostScratch& scratch) {
  // The distinct words of each bank: its first kept apart, the others listed (at most 32 lanes,
  // so a bank's list never overflows).
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

constexpr std::uint32_t kInitialLogRecords = 512;

// Where an address lies: 0 neither, 1 shared, 2 global. A kept record of global memory has
// kGlobalTag added to its op (above the AccessOp values); a shared one is left as it is.
constexpr std::uint32_t kShared = 1, kGlobal = 2;
constexpr std::uint32_t kGlobalTag = 1u << 4;

// A record's width and operation in one word (they lie side by side), to compare two records at
// once.
static_assert(offsetof(lutgemm_emu::AccessRecord, op) ==
              offsetof(lutgemm_emu::AccessRecord, bytes) + 4);
std::uint64_t op_and_bytes(const lutgemm_emu::AccessRecord& r) {
  std::uint64_t kind;
  std::memcpy(&kind, &r.bytes, sizeof kind);
  return kind;
}

// The device buffer [lo, hi) that holds `a`, or null.
const std::pair<std::uintptr_t, std::uintptr_t>* device_range_of(std::uintptr_t a,
                                                                 const AddressSpaces& s) {
  if (s.device_ranges == nullptr)
    return nullptr;
  const auto& ranges = *s.device_ranges;
  auto it = std::upper_bound(ranges.begin(), ranges.end(), std::make_pair(a, UINTPTR_MAX));
  return it != ranges.begin() && a < std::prev(it)->second ? &*std::prev(it) : nullptr;
}

std::uint32_t space_of(std::uintptr_t a, const AddressSpaces& s) {
  if ((a >= s.static_lo && a < s.static_hi) || (a >= s.dynamic_lo && a < s.dynamic_hi))
    return kShared;
  // Global if inside a device buffer; anything else (the argument array, host memory a kernel
  // was wrongly given) is not device memory.
  return device_range_of(a, s) != nullptr ? kGlobal : 0;
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

// The logs of one warp's lanes while they are joined: each lane's records and how many.
struct WarpLogs {
  std::array<lutgemm_emu::AccessRecord*, 32> logs{};
  std::array<std::uint32_t, 32> sizes{};
  std::uint32_t count = 0; // lanes
};

// Shared requests of the common row are costed from a bitmap of the words they touch, in a
// window of kWindowWords aligned to the banks: bit b of chunk c (32 bits) is the word
// base + 32 c + b, which lies in bank b. Lanes reading one word set one bit (a broadcast costs
// nothing), and the wavefronts of a bank are the chunks with its bit set. Chunks 2j and 2j + 1
// share a 64-bit pair. A window of 512 words (2 KiB) holds a request that reads within one table
// of up to 256 words, wherever its first lane reads.
constexpr std::uint32_t kWindowPairs = 8, kWindowWords = 64 * kWindowPairs;

// The most bits any bank has set across the chunks: the wavefronts of the busiest bank. Counted
// bit-sliced, all banks at once: a 4-bit counter per bit of the pairs (s0..s3, up to 8), then
// each bank's two halves added (r0..r4, up to 16), then the largest counter.
std::uint32_t busiest_bank(const std::array<std::uint64_t, kWindowPairs>& pairs) {
  std::uint64_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  for (const std::uint64_t c : pairs) {
    if (c == 0)
      continue; // a table of 256 words leaves about half the window empty
    const std::uint64_t c0 = s0 & c;
    s0 ^= c;
    const std::uint64_t c1 = s1 & c0;
    s1 ^= c0;
    const std::uint64_t c2 = s2 & c1;
    s2 ^= c1;
    s3 |= c2; // 8 needs every pair: the counter never wraps
  }
  const auto lo = [](std::uint64_t v) { return static_cast<std::uint32_t>(v); };
  const auto hi = [](std::uint64_t v) { return static_cast<std::uint32_t>(v >> 32); };
  const std::uint32_t a[4] = {lo(s0), lo(s1), lo(s2), lo(s3)};
  const std::uint32_t b[4] = {hi(s0), hi(s1), hi(s2), hi(s3)};
  std::uint32_t r[5], carry = 0;
  for (int k = 0; k < 4; ++k) {
    r[k] = a[k] ^ b[k] ^ carry;
    carry = (a[k] & b[k]) | (carry & (a[k] ^ b[k]));
  }
  r[4] = carry;
  std::uint32_t most = 0, candidates = r[0] | r[1] | r[2] | r[3] | r[4];
  for (int k = 4; k >= 0; --k)
    if ((r[k] & candidates) != 0) {
      candidates &= r[k];
      most |= 1u << k;
    }
  return most;
}

// One pass over the i-th records of the lanes (see join_shared_row): false if one differs from
// `kind`, or (kCheckRange) lies outside [lo, lo + size); sets each one's word in `pairs` (when in
// the window at base_bytes) and ors their offsets from it into `spread`.
template <bool kCheckRange>
bool scan_shared_row(const WarpLogs& w, std::uint32_t i, std::uint64_t kind, std::uintptr_t lo,
                     std::uintptr_t size, std::uintptr_t base_bytes,
                     std::array<std::uint64_t, kWindowPairs>& pairs, std::uintptr_t& spread) {
  std::uintptr_t any = 0;
#pragma GCC unroll 4
  for (std::uint32_t l = 0; l < w.count; ++l) {
    const lutgemm_emu::AccessRecord& a = w.logs[l][i];
    if (op_and_bytes(a) != kind || (kCheckRange && a.address - lo >= size))
      return false;
    const std::uintptr_t offset = a.address - base_bytes;
    any |= offset;
    pairs[(offset / 256) % kWindowPairs] |= std::uint64_t(1) << (offset / 4 % 64);
  }
  spread = any;
  return true;
}

// The common row: every lane has an i-th record, and they are shared accesses of one kind, each
// within one word (1, 2 or 4 bytes, naturally aligned), in one shared range. Joined and costed
// in one pass over the lanes (the words' bitmap; requests that reach outside the window are
// costed from their words); false (nothing counted) for any other row.
bool join_shared_row(const WarpLogs& w, std::uint32_t i, const AddressSpaces& spaces,
                     CostScratch& scratch, LaunchCounters& counters) {
  const lutgemm_emu::AccessRecord& head = w.logs[0][i];
  const std::uint32_t bytes = head.bytes;
  if (bytes == 0 || bytes > 4 || (bytes & (bytes - 1)) != 0)
    return false;
  std::uintptr_t lo, size;
  if (head.address - spaces.static_lo < spaces.static_hi - spaces.static_lo) {
    lo = spaces.static_lo;
    size = spaces.static_hi - spaces.static_lo;
  } else if (head.address - spaces.dynamic_lo < spaces.dynamic_hi - spaces.dynamic_lo) {
    lo = spaces.dynamic_lo;
    size = spaces.dynamic_hi - spaces.dynamic_lo;
  } else {
    return false;
  }
  const std::uint64_t kind = op_and_bytes(head);
  // The window: bank-aligned, around the first lane's word, and inside the range's whole words
  // where the range is large enough, so that a word inside the window needs no range check.
  const std::uint64_t first = ((lo + 3) / 4 + 31) & ~std::uint64_t(31);
  const std::uint64_t last = (lo + size) / 4 & ~std::uint64_t(31); // window ends up to here
  std::uint64_t base = (head.address / 4 & ~std::uint64_t(31)) - kWindowWords / 2;
  const bool inside = last >= first && last - first >= kWindowWords;
  if (inside)
    base = std::min(std::max(base, first), last - kWindowWords);
  std::array<std::uint64_t, kWindowPairs> pairs{};
  std::uintptr_t spread = 0; // the byte offsets from the window, or'ed
  if (!(inside ? scan_shared_row<false>(w, i, kind, lo, size, base * 4, pairs, spread)
               : scan_shared_row<true>(w, i, kind, lo, size, base * 4, pairs, spread)))
    return false;
  if ((spread & (bytes - 1)) != 0) // the window is 128-byte aligned: these are the addresses' bits
    return false;
  RequestCost cost{1, 1};
  if (spread < std::uintptr_t(kWindowWords) * 4) {
    cost.units = busiest_bank(pairs);
  } else { // some lane outside the window: in the range? then costed from the words
    std::array<std::uint64_t, 32> words;
    for (std::uint32_t l = 0; l < w.count; ++l) {
      const std::uintptr_t a = w.logs[l][i].address;
      if (a - lo >= size)
        return false;
      words[l] = a / 4;
    }
    cost = shared_word_cost(words.data(), w.count, scratch);
  }
  add_request(counters, head.op, bytes, w.count, cost);
  return true;
}

// Where the i-th record of every lane lies: a global one gets its tag. False if one lies in
// neither space (to be dropped, which moves that lane's later records up a row).
bool tag_row(const WarpLogs& w, std::uint32_t i, const AddressSpaces& spaces) {
  std::uintptr_t lo = 0, hi = 0; // the device buffer of the last global record (lanes share one)
  for (std::uint32_t l = 0; l < w.count; ++l) {
    lutgemm_emu::AccessRecord& a = w.logs[l][i];
    if (a.address - lo < hi - lo) {
      a.op |= kGlobalTag;
      continue;
    }
    const std::uint32_t space = space_of(a.address, spaces);
    if (space == 0)
      return false;
    if (space == kGlobal) {
      a.op |= kGlobalTag;
      std::tie(lo, hi) = *device_range_of(a.address, spaces);
    }
  }
  return true;
}

// Calls f on the i-th record of each lane from `lead` on that has one, while f returns true;
// false if it returned false.
template <class F> bool each_lane(const WarpLogs& w, std::uint32_t i, std::uint32_t lead, F&& f) {
  for (std::uint32_t l = lead; l < w.count; ++l)
    if (i < w.sizes[l] && !f(w.logs[l][i]))
      return false;
  return true;
}

// Any row of classified records (globals tagged, the dropped ones gone): the i-th access of each
// lane that has one, grouped by (space, operation, width): one request per group.
void join_row(const WarpLogs& w, std::uint32_t i, CostScratch& scratch, LaunchCounters& counters) {
  // Every lane with an i-th access makes the same small shared access, each within one word: one
  // request, costed from its words.
  std::uint32_t lead = 0;
  while (i >= w.sizes[lead])
    ++lead;
  const lutgemm_emu::AccessRecord& head = w.logs[lead][i];
  if ((head.op & kGlobalTag) == 0 && head.bytes <= 4) {
    std::array<std::uint64_t, 32> words;
    const std::uint64_t kind = op_and_bytes(head);
    const std::uintptr_t misaligned = 4 - std::max(head.bytes, 1u); // highest in-word offset
    std::size_t taken = 0;
    if (each_lane(w, i, lead, [&](const lutgemm_emu::AccessRecord& a) {
          words[taken++] = a.address / 4;
          return op_and_bytes(a) == kind && (a.address % 4) <= misaligned;
        })) {
      add_request(counters, head.op, head.bytes, taken,
                  shared_word_cost(words.data(), taken, scratch));
      return;
    }
  }
  // Every lane with an i-th access makes the same global access, the lanes in address order (a
  // coalesced or strided load): one request, whose distinct sectors are counted in one sweep.
  if ((head.op & kGlobalTag) != 0) {
    const std::uint64_t kind = op_and_bytes(head);
    const std::uint64_t width = std::max(head.bytes, 1u);
    std::uint64_t sectors = 0, last = 0; // sectors so far, and the highest one
    std::uintptr_t previous = 0;
    std::size_t taken = 0;
    if (each_lane(w, i, lead, [&](const lutgemm_emu::AccessRecord& a) {
          if (op_and_bytes(a) != kind || a.address < previous)
            return false;
          previous = a.address;
          const std::uint64_t first = a.address / 32, end = (a.address + width - 1) / 32;
          if (taken++ == 0)
            sectors = end - first + 1;
          else if (end > last) // equal widths, ordered starts: the new sectors lie above `last`
            sectors += end - std::max(first, last + 1) + 1;
          last = std::max(last, end);
          return true;
        })) {
      add_request(counters, head.op, head.bytes, taken,
                  RequestCost{sectors, (taken * width + 31) / 32});
      return;
    }
  }
  std::array<LaneAccess, 32> request;
  std::uint32_t done = 0; // lanes whose i-th access was taken (bitmask)
  for (std::uint32_t l = 0; l < w.count; ++l) {
    if (i >= w.sizes[l] || (done >> l) & 1u)
      continue;
    const lutgemm_emu::AccessRecord& first = w.logs[l][i];
    std::size_t taken = 0;
    for (std::uint32_t o = l; o < w.count; ++o) {
      if (i >= w.sizes[o] || (done >> o) & 1u)
        continue;
      const lutgemm_emu::AccessRecord& a = w.logs[o][i];
      if (a.op != first.op || a.bytes != first.bytes)
        continue;
      done |= 1u << o;
      request[taken++] = LaneAccess{o, a.address, a.bytes};
    }
    add_request(counters, first.op, first.bytes, taken,
                (first.op & kGlobalTag) == 0 ? shared_request_cost(request.data(), taken, scratch)
                                             : global_request_cost(request.data(), taken, scratch));
  }
}

// Released log buffers, the most recently used last (their sizes fit the kernels run lately).
std::mutex g_pool_mutex;
std::vector<std::vector<AccessLog::Buffer>>& buffer_pool() {
  static auto* pool = new std::vector<std::vector<AccessLog::Buffer>>(); // never destroyed
  return *pool;
}

} // namespace

std::uint64_t* CostScratch::key_buffer(std::size_t n) {
  if (keys.size() < n)
    keys.resize(std::max<std::size_t>(n, 256));
  return keys.data();
}

AccessLog::AccessLog() : scratch_(std::make_unique<CostScratch>()) {}

AccessLog::~AccessLog() {
  if (!pooled_)
    return;
  std::lock_guard lock(g_pool_mutex);
  auto& pool = buffer_pool();
  if (pool.size() < 64)
    pool.push_back(std::move(buffers_));
}

void AccessLog::attach(lutgemm_emu::Thread* t) {
  if (!pooled_) {
    pooled_ = true;
    std::lock_guard lock(g_pool_mutex);
    auto& pool = buffer_pool();
    if (!pool.empty()) {
      buffers_ = std::move(pool.back());
      pool.pop_back();
    }
  }
  if (buffers_.size() <= t->linear)
    buffers_.resize(t->linear + 1);
  Buffer& buffer = buffers_[t->linear];
  if (buffer.capacity == 0) {
    buffer.records.reset(new lutgemm_emu::AccessRecord[kInitialLogRecords]);
    buffer.capacity = kInitialLogRecords;
  }
  t->log = t->log_next = buffer.records.get();
  t->log_end = t->log + buffer.capacity;
}

void AccessLog::grow(lutgemm_emu::Thread* t) {
  Buffer& buffer = buffers_.at(t->linear);
  const std::uint32_t capacity = buffer.capacity * 2;
  std::unique_ptr<lutgemm_emu::AccessRecord[]> larger(new lutgemm_emu::AccessRecord[capacity]);
  const std::size_t count = static_cast<std::size_t>(t->log_next - t->log);
  std::memcpy(larger.get(), buffer.records.get(), sizeof(lutgemm_emu::AccessRecord) * count);
  buffer.records = std::move(larger);
  buffer.capacity = capacity;
  t->log = buffer.records.get();
  t->log_next = t->log + count;
  t->log_end = t->log + capacity;
}

void AccessLog::flush_warp(lutgemm_emu::Thread* const* lanes, std::uint32_t count,
                           const AddressSpaces& spaces, LaunchCounters& counters) {
  WarpLogs w;
  w.count = count;
  std::uint32_t shortest = UINT32_MAX;
  for (std::uint32_t l = 0; l < count; ++l) {
    w.logs[l] = lanes[l]->log;
    w.sizes[l] = static_cast<std::uint32_t>(lanes[l]->log_next - lanes[l]->log);
    shortest = std::min(shortest, w.sizes[l]);
    lanes[l]->log_next = lanes[l]->log;
  }
  if (count == 0)
    return;
  // Rows that every lane has, while none of their records is dropped: each lane's i-th record is
  // its i-th kept one, so the rows join as they are.
  std::uint32_t row = 0;
  for (; row < shortest; ++row) {
    if (join_shared_row(w, row, spaces, *scratch_, counters))
      continue;
    if (!tag_row(w, row, spaces))
      break;
    join_row(w, row, *scratch_, counters);
  }
  if (row == std::max_element(w.sizes.begin(), w.sizes.begin() + count)[0])
    return;
  // The rest in general: each lane's remaining records classified in place (shared ones left as
  // they are, global ones tagged, those outside shared and device memory dropped), then joined
  // row by row.
  std::uint32_t longest = 0;
  const std::uintptr_t static_bytes = spaces.static_hi - spaces.static_lo;
  const std::uintptr_t dynamic_bytes = spaces.dynamic_hi - spaces.dynamic_lo;
  for (std::uint32_t l = 0; l < count; ++l) {
    lutgemm_emu::AccessRecord* log = w.logs[l] + row;
    const std::uint32_t n = w.sizes[l] - row;
    std::uint32_t kept = 0;
    for (std::uint32_t i = 0; i < n; ++i) {
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
    w.logs[l] = log;
    w.sizes[l] = kept;
    longest = std::max(longest, kept);
  }
  for (std::uint32_t i = 0; i < longest; ++i)
    join_row(w, i, *scratch_, counters);
}

} // namespace detail
} // namespace lutgemm::emu
