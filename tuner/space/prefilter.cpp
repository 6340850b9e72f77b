#include "space/prefilter.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace lutgemm::space {

Occupancy occupancy(const ResourceUsage& usage, const TargetLimits& limits) {
  Occupancy result;
  if (usage.threads_per_block <= 0)
    return result;
  int warps_per_block = (usage.threads_per_block + limits.warp_size - 1) / limits.warp_size;
  int max_warps = limits.max_threads_per_sm / limits.warp_size;

  int by_threads = limits.max_threads_per_sm / usage.threads_per_block;
  int by_blocks = limits.max_blocks_per_sm;
  int by_registers = by_blocks;
  if (usage.registers > 0) {
    int per_warp = (usage.registers * limits.warp_size + limits.reg_alloc_unit - 1) /
                   limits.reg_alloc_unit * limits.reg_alloc_unit;
    by_registers = limits.regs_per_sm / (per_warp * warps_per_block);
  }
  int by_smem = by_blocks;
  std::int64_t smem = usage.static_smem + usage.dynamic_smem;
  if (smem > 0 && limits.smem_per_sm > 0)
    by_smem = static_cast<int>(limits.smem_per_sm / smem);

  result.blocks_per_sm = std::min({by_threads, by_blocks, by_registers, by_smem});
  if (result.blocks_per_sm == by_registers && by_registers < by_threads)
    result.limited_by = "registers";
  else if (result.blocks_per_sm == by_smem && by_smem < by_threads)
    result.limited_by = "shared memory";
  else if (result.blocks_per_sm == by_blocks && by_blocks < by_threads)
    result.limited_by = "blocks";
  else
    result.limited_by = "threads";
  result.blocks_per_sm = std::max(result.blocks_per_sm, 0);
  result.fraction =
      std::min(1.0, static_cast<double>(result.blocks_per_sm * warps_per_block) / max_warps);
  return result;
}

std::optional<PrefilterVerdict> prefilter(const ResourceUsage& usage, const TargetLimits& limits,
                                          const PrefilterPolicy& policy) {
  if (usage.threads_per_block > limits.max_threads_per_block) {
    return PrefilterVerdict{"threads", fmt::format("{} threads per block, {} allows {}",
                                                   usage.threads_per_block, limits.name,
                                                   limits.max_threads_per_block)};
  }
  if (usage.registers > limits.max_regs_per_thread) {
    return PrefilterVerdict{"registers",
                            fmt::format("{} registers per thread, {} allows {}", usage.registers,
                                        limits.name, limits.max_regs_per_thread)};
  }
  std::int64_t smem = usage.static_smem + usage.dynamic_smem;
  std::int64_t smem_limit =
      usage.dynamic_smem > 0 ? limits.smem_per_block_optin : limits.smem_per_block_static;
  if (smem_limit > 0 && smem > smem_limit) {
    return PrefilterVerdict{"smem", fmt::format("{} bytes of shared memory per block, {} allows {}",
                                                smem, limits.name, smem_limit)};
  }
  if (!policy.allow_spills && (usage.spill_stores > 0 || usage.spill_loads > 0)) {
    return PrefilterVerdict{"spills", fmt::format("spills registers ({} bytes stored, {} loaded)",
                                                  usage.spill_stores, usage.spill_loads)};
  }
  auto occ = occupancy(usage, limits);
  if (occ.blocks_per_sm == 0) {
    return PrefilterVerdict{"occupancy", fmt::format("no block fits on an SM of {} (limited by {})",
                                                     limits.name, occ.limited_by)};
  }
  if (occ.fraction < policy.min_occupancy) {
    return PrefilterVerdict{
        "occupancy", fmt::format("occupancy {:.0f}% (limited by {}) is below the {:.0f}% minimum",
                                 occ.fraction * 100, occ.limited_by, policy.min_occupancy * 100)};
  }
  return std::nullopt;
}

} // namespace lutgemm::space
