#pragma once
// Hardware counters that the emulator counts while it runs a kernel on real data (issue 11): what a
// profiler reports about the memory system, from every load and store of the kernel's threads.
//
// How accesses become warp-wide requests: each emulated thread logs its shared and global accesses
// in program order; at every point where its warp is known to be together (a completed
// __syncthreads(), a warp operation of all live lanes, the end of the block) the i-th access of
// each lane joins one request with the i-th access of the others (grouped by space, operation and
// width). Inside divergent code, lanes that took different paths are paired by position, which is
// an approximation: real hardware issues the two paths as separate requests.
//
// The accesses are those of the host-compiled kernel, which keeps the source's memory operations
// but may merge or drop redundant ones differently from NVCC's SASS.
#include "emu/device/emu_abi.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace lutgemm::emu {

struct MemoryCounters {
  std::uint64_t requests = 0; // warp-wide instructions
  // shared: wavefronts (bank-conflict passes); global: 32-byte sectors.
  std::uint64_t units = 0;
  // The least units the same requests could take: shared 1 per 4-byte (2 per 8-byte, 4 per 16-byte)
  // request; global: the sectors of the bytes requested, packed.
  std::uint64_t ideal_units = 0;
  std::uint64_t lane_accesses = 0; // thread-level accesses
  std::uint64_t bytes = 0;         // bytes requested by the lanes

  MemoryCounters& operator+=(const MemoryCounters& other);
  double units_per_request() const { return requests ? double(units) / double(requests) : 0.0; }
  // shared: the bank-conflict factor (1.0 = conflict-free); global: sectors over the least.
  double excess_factor() const { return ideal_units ? double(units) / double(ideal_units) : 0.0; }
};

struct LaunchCounters {
  MemoryCounters shared_load, shared_store, shared_atomic;
  MemoryCounters global_load, global_store, global_atomic;
  std::uint64_t barriers = 0; // warp-level __syncthreads() instructions
  std::uint64_t warp_ops = 0; // warp-level shuffles, votes, __syncwarp
  std::uint64_t blocks = 0, warps = 0, threads = 0;
  // Operations by kind (lutgemm_emu::OpKind), per thread (every lane's call) and per warp (the
  // instructions a warp issues: between two points where the warp is together, the most calls of
  // one kind by any of its lanes, so lanes on divergent paths count once, not per path).
  std::array<std::uint64_t, lutgemm_emu::kOpKinds> thread_ops{}, warp_ops_by_kind{};

  LaunchCounters& operator+=(const LaunchCounters& other);
  // One line of numbers, and back (an isolated launch sends its counters to the parent).
  std::string serialize() const;
  static LaunchCounters deserialize(const std::string& text);
};

namespace detail {

struct LaneAccess {
  unsigned lane;
  std::uintptr_t address;
  unsigned bytes;
};

struct RequestCost {
  std::uint64_t units = 0, ideal_units = 0;
};

// Buffers for costing requests (per worker, not thread_local: a kernel library or the emulated
// driver that holds this code may only have a small static TLS block), reused so that costing
// allocates nothing once warm.
struct CostScratch {
  // Distinct words per bank of one phase, for shared requests of accesses up to 16 bytes: each
  // bank's first word kept apart (one cache line for all banks), the others in a list that only
  // conflicting banks touch.
  struct BankWords {
    static constexpr unsigned kMost = 64; // 32 lanes x 2 words (a misaligned 4-byte access)
    std::array<std::uint64_t, 32> first;
    std::array<std::uint32_t, 32> count;
    std::array<std::array<std::uint64_t, kMost>, 32> more; // words 2.. of a bank
  } banks;
  std::vector<std::uint64_t> keys; // sorted words or sectors of the general case
  std::uint64_t* key_buffer(std::size_t n);
};

// Shared memory: 32 banks of 4 bytes; one wavefront per distinct 4-byte word in the busiest bank
// (lanes reading one word share it); 8-byte accesses are processed per half warp and 16-byte ones
// per quarter warp, as the hardware does.
RequestCost shared_request_cost(const LaneAccess* lanes, std::size_t n, CostScratch& scratch);
// The same for the common case: up to 32 lanes, each reading or writing within one 4-byte word
// (`words`: the addresses over 4), served in one phase.
RequestCost shared_word_cost(const std::uint64_t* words, std::size_t n, CostScratch& scratch);
// The same when some bank holds two lanes' words (the caller checked): the distinct words of the
// busiest bank.
RequestCost shared_word_conflicts(const std::uint64_t* words, std::size_t n, CostScratch& scratch);
RequestCost shared_request_cost(const std::vector<LaneAccess>& lanes);
// The same by sorting every word touched (any width or lane order; the slower general case).
RequestCost shared_request_cost_sorted(const LaneAccess* lanes, std::size_t n,
                                       CostScratch& scratch);
// Global memory: the distinct 32-byte sectors the lanes touch.
RequestCost global_request_cost(const LaneAccess* lanes, std::size_t n, CostScratch& scratch);
RequestCost global_request_cost(const std::vector<LaneAccess>& lanes);

// Where a logged address lies (read from the running block and launch when a warp's logs are
// joined): static or dynamic shared memory, or a device buffer; anything else is not counted.
struct AddressSpaces {
  std::uintptr_t static_lo = 0, static_hi = 0, dynamic_lo = 0, dynamic_hi = 0;
  const std::vector<std::pair<std::uintptr_t, std::uintptr_t>>* device_ranges = nullptr; // sorted
};

// The per-thread access logs of a block (lutgemm_emu::Thread::log), which the device side appends
// to without calling the host. Their buffers come from a process-wide pool and go back to it when
// the worker ends, so that a launch starts with the sizes the last one grew them to: recording
// allocates nothing once warm, from launch to launch too.
class AccessLog {
public:
  AccessLog();
  ~AccessLog();
  AccessLog(const AccessLog&) = delete;
  AccessLog& operator=(const AccessLog&) = delete;
  // Gives thread `t` its (empty) buffer.
  void attach(lutgemm_emu::Thread* t);
  // The device side filled `t`'s buffer: a larger one, the records kept.
  void grow(lutgemm_emu::Thread* t);
  // Joins the logs of one warp's lanes into requests (the i-th access of each lane, grouped by
  // space, operation and width), adds them, and empties the logs.
  void flush_warp(lutgemm_emu::Thread* const* lanes, std::uint32_t count,
                  const AddressSpaces& spaces, LaunchCounters& counters);

  struct Buffer {
    std::unique_ptr<lutgemm_emu::AccessRecord[]> records; // uninitialized until written
    std::uint32_t capacity = 0;
  };

private:
  std::vector<Buffer> buffers_; // by the thread's linear index in its block
  bool pooled_ = false;         // buffers_ taken from the pool (returned by the destructor)
  std::unique_ptr<CostScratch> scratch_;
};

} // namespace detail
} // namespace lutgemm::emu
