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
#include <string>
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

enum class Space : std::uint8_t { shared, global };
enum class Op : std::uint8_t { load, store, atomic };

struct Access {
  std::uintptr_t address;
  std::uint16_t bytes;
  Space space;
  Op op;
};

struct LaneAccess {
  unsigned lane;
  std::uintptr_t address;
  unsigned bytes;
};

struct RequestCost {
  std::uint64_t units = 0, ideal_units = 0;
};

// Shared memory: 32 banks of 4 bytes; one wavefront per distinct 4-byte word in the busiest bank
// (lanes reading one word share it); 8-byte accesses are processed per half warp and 16-byte ones
// per quarter warp, as the hardware does.
// Neither allocates once warm (they run for every request of a counting launch).
RequestCost shared_request_cost(const LaneAccess* lanes, std::size_t n);
RequestCost shared_request_cost(const std::vector<LaneAccess>& lanes);
// Global memory: the distinct 32-byte sectors the lanes touch.
RequestCost global_request_cost(const LaneAccess* lanes, std::size_t n);
RequestCost global_request_cost(const std::vector<LaneAccess>& lanes);

// The per-thread access logs of one block, turned into requests warp by warp.
class AccessLog {
public:
  // Keeps the logs' capacity from block to block: recording allocates nothing once warm.
  void reset(std::uint32_t threads) {
    logs_.resize(threads);
    for (auto& log : logs_)
      log.clear();
  }
  void record(std::uint32_t thread, const Access& access) { logs_[thread].push_back(access); }
  // Joins the logged accesses of the lanes of warp `warp` into requests, adds them, clears them.
  void flush_warp(std::uint32_t warp, LaunchCounters& counters);
  void flush_all(LaunchCounters& counters);

private:
  std::vector<std::vector<Access>> logs_;
  std::vector<LaneAccess> scratch_;
};

} // namespace detail
} // namespace lutgemm::emu
