#pragma once
// The static pre-filter: before anything runs, drop variants whose compiled resources cannot work
// on the target (too many threads, registers or shared memory for one block, spills) or would run
// with too little occupancy to stream memory. Fed by the compile layer's resource report (ptxas
// -v) and the target's limits (built-in spec table or the device itself).
#include <cstdint>
#include <optional>
#include <string>

namespace lutgemm::space {

struct ResourceUsage {
  int registers = 0;             // per thread
  std::int64_t static_smem = 0;  // bytes, from ptxas
  std::int64_t dynamic_smem = 0; // bytes, from the launch plan
  int threads_per_block = 0;     // from the launch plan
  std::int64_t spill_stores = 0; // bytes
  std::int64_t spill_loads = 0;  // bytes
  std::int64_t stack_bytes = 0;  // stack frame
};

struct TargetLimits {
  std::string name; // "a100-80gb" or the device's name
  int max_threads_per_block = 1024;
  int max_threads_per_sm = 2048;
  int max_blocks_per_sm = 32;
  int regs_per_sm = 65536;
  int max_regs_per_thread = 255;
  int reg_alloc_unit = 256; // registers are allocated per warp in units of 256
  std::int64_t smem_per_sm = 0;
  std::int64_t smem_per_block_optin = 0;
  std::int64_t smem_per_block_static = 48 * 1024;
  int warp_size = 32;
};

struct Occupancy {
  int blocks_per_sm = 0;
  double fraction = 0.0;  // active warps / max warps per SM
  std::string limited_by; // "threads", "registers", "shared memory", "blocks"
};

Occupancy occupancy(const ResourceUsage& usage, const TargetLimits& limits);

struct PrefilterPolicy {
  bool allow_spills = false;
  double min_occupancy = 0.125; // 8 of 64 warps: below this a streaming kernel cannot hide latency
};

struct PrefilterVerdict {
  std::string rule;   // "threads", "registers", "smem", "spills", "occupancy"
  std::string reason; // "uses 70 KiB shared memory per block, a100-80gb allows 48 KiB static"
};

// nullopt when the variant may run; else the first failing rule.
std::optional<PrefilterVerdict> prefilter(const ResourceUsage& usage, const TargetLimits& limits,
                                          const PrefilterPolicy& policy = {});

} // namespace lutgemm::space
