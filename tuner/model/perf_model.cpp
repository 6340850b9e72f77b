#include "model/perf_model.hpp"

#include "common/error.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace lutgemm::model {
namespace {

constexpr int kRegisterAllocationUnit = 256; // registers are allocated per warp in units of 256

struct Occupancy {
  int blocks_per_sm = 0;
  std::string limiter;
};

Occupancy occupancy_of(const KernelWorkload& w, const GpuSpec& t) {
  const int warps_per_block = (w.threads_per_block + t.warp_size - 1) / t.warp_size;
  Occupancy o{t.max_blocks_per_sm, "blocks"};
  auto limit = [&](int blocks, const char* why) {
    if (blocks < o.blocks_per_sm) {
      o.blocks_per_sm = blocks;
      o.limiter = why;
    }
  };
  limit(t.max_threads_per_sm / w.threads_per_block, "threads");
  const int regs_per_warp =
      (std::max(w.regs_per_thread, 1) * t.warp_size + kRegisterAllocationUnit - 1) /
      kRegisterAllocationUnit * kRegisterAllocationUnit;
  limit(t.regs_per_sm / regs_per_warp / warps_per_block, "registers");
  if (w.smem_per_block > 0) {
    const std::int64_t reserved = t.cc_major >= 8 ? kSmemReservedPerBlock : 0;
    limit(static_cast<int>(t.smem_per_sm / (w.smem_per_block + reserved)), "shared memory");
  }
  return o;
}

} // namespace

std::string_view to_string(Bound bound) {
  switch (bound) {
  case Bound::dram:
    return "dram";
  case Bound::smem:
    return "smem";
  case Bound::alu:
    return "alu";
  case Bound::atomics:
    return "atomics";
  case Bound::launch:
    return "launch";
  case Bound::tensor:
    return "tensor";
  }
  return "?";
}

Bound bound_from_string(std::string_view text) {
  for (Bound b :
       {Bound::dram, Bound::smem, Bound::alu, Bound::atomics, Bound::launch, Bound::tensor}) {
    if (to_string(b) == text)
      return b;
  }
  throw UsageError(
      fmt::format("unknown bound '{}' (allowed: dram, smem, alu, atomics, launch, tensor)", text));
}

double dram_floor_us(double bytes, const GpuSpec& target) {
  return bytes / (target.dram_gbps * 1e3); // GB/s = 1e3 bytes per microsecond
}

Prediction predict(const KernelWorkload& w, const GpuSpec& t) {
  Prediction p;
  p.dram_floor_us = dram_floor_us(w.dram_bytes, t);
  p.launch_us = kLaunchOverheadUs * std::max(w.launches, 1);

  if (w.threads_per_block <= 0 || w.threads_per_block > t.max_threads_per_block) {
    p.launchable = false;
    p.not_launchable_reason = fmt::format("{} threads per block; {} allows 1..{}",
                                          w.threads_per_block, t.arch, t.max_threads_per_block);
  } else if (w.regs_per_thread > t.max_regs_per_thread) {
    p.launchable = false;
    p.not_launchable_reason = fmt::format("{} registers per thread; {} allows {}",
                                          w.regs_per_thread, t.arch, t.max_regs_per_thread);
  } else if (w.smem_per_block > t.smem_per_block_optin) {
    p.launchable = false;
    p.not_launchable_reason = fmt::format("needs {} bytes of shared memory per block; {} allows {}",
                                          w.smem_per_block, t.arch, t.smem_per_block_optin);
  }
  const Occupancy occ = occupancy_of(w, t);
  if (p.launchable && occ.blocks_per_sm < 1) {
    p.launchable = false;
    p.not_launchable_reason = fmt::format("no block fits on an SM (limited by {})", occ.limiter);
  }
  p.blocks_per_sm = std::max(occ.blocks_per_sm, 0);
  p.occupancy_limiter = occ.limiter;
  if (!p.launchable) {
    p.total_us = INFINITY;
    return p;
  }

  const int warps_per_block = (w.threads_per_block + t.warp_size - 1) / t.warp_size;
  const double max_warps = static_cast<double>(t.max_threads_per_sm) / t.warp_size;
  p.occupancy = std::min(1.0, p.blocks_per_sm * warps_per_block / max_warps);
  double grid = static_cast<double>(std::max<std::int64_t>(w.grid_blocks, 1));
  if (w.fill_gpu) {
    const double filled = static_cast<double>(kFillBlocksPerSm) * t.sm_count;
    if (grid < filled) {
      p.k_splits = static_cast<int>(std::ceil(filled / grid));
      grid *= p.k_splits;
    }
  }
  // Split-K with a separate reduction (KernelWorkload::split_k_reduce): the GEMM writes fp32
  // partials (overlapping its weight stream), the reduce kernel reads them and writes y after it.
  double dram_bytes = w.dram_bytes;
  double serial_bytes = w.serial_bytes;
  if (w.split_k_reduce && p.k_splits > 1) {
    const double partials = static_cast<double>(p.k_splits) * w.output_elements * 4;
    dram_bytes += partials;
    serial_bytes += partials + w.output_elements * 2;
    p.launch_us += kLaunchOverheadUs;
  }
  const double concurrent_blocks = static_cast<double>(p.blocks_per_sm) * t.sm_count;
  p.waves = grid / concurrent_blocks;
  const double active_sms = std::min<double>(t.sm_count, grid);
  p.active_sm_fraction = active_sms / t.sm_count;
  // Little's law: a busy SM keeps (resident threads x bytes per thread) in flight; a small grid
  // leaves SMs with fewer blocks than they could hold.
  const double blocks_on_busy_sm = std::min<double>(p.blocks_per_sm, std::ceil(grid / t.sm_count));
  const double in_flight = active_sms * blocks_on_busy_sm * w.threads_per_block *
                           std::max(w.bytes_in_flight_per_thread, 1.0);
  // bytes / ns = GB/s
  auto memory = [&](double peak_gbps, double latency_ns, bool& latency_bound) {
    const double latency_gbps = in_flight / std::max(latency_ns, 1.0);
    latency_bound = latency_gbps < peak_gbps;
    return std::min(peak_gbps, latency_gbps);
  };
  p.memory_bandwidth_gbps =
      memory(t.dram_gbps * t.achievable_dram_fraction, t.dram_latency_ns, p.latency_bound);
  p.dram_us = dram_bytes / (p.memory_bandwidth_gbps * 1e3);
  // Compute-side parts pay for the last, partly filled wave.
  const double tail = p.waves > 1.0 ? std::ceil(p.waves) / p.waves : 1.0;
  const double clock = t.boost_clock_mhz; // cycles per microsecond
  const double warp_smem_ops =
      w.smem_build_ops / t.warp_size + w.smem_lookups / t.warp_size * w.bank_conflict_factor;
  p.smem_us = warp_smem_ops / (active_sms * clock) * tail;
  p.alu_us = w.alu_ops / (active_sms * t.fp32_lanes_per_sm * clock) * tail;
  p.tensor_us = t.fp16_tensor_tflops > 0 ? w.tensor_flops / (t.fp16_tensor_tflops * 1e6) : 0;
  p.atomic_us = w.atomics / (kAtomicsPerClockPerSm * t.sm_count * clock);
  p.launch_us += serial_bytes / (t.dram_gbps * t.achievable_dram_fraction * 1e3);

  // Overlapping parts: the largest counts; atomics tail, launches and serial passes add once.
  const double compute = std::max({p.smem_us, p.alu_us, p.tensor_us});
  p.total_us = std::max(p.dram_us, compute) + p.atomic_us + p.launch_us;
  const double parts[] = {p.dram_us, p.smem_us, p.alu_us, p.tensor_us, p.atomic_us, p.launch_us};
  const Bound names[] = {Bound::dram,   Bound::smem,    Bound::alu,
                         Bound::tensor, Bound::atomics, Bound::launch};
  double largest = -1;
  for (int i = 0; i < 6; ++i) {
    if (parts[i] > largest) {
      largest = parts[i];
      p.bound = names[i];
    }
  }

  // Warm L2: the weights stay in L2 between calls when they fit; the rest still crosses DRAM.
  const double weights = w.weight_bytes > 0 ? std::min(w.weight_bytes, dram_bytes) : dram_bytes;
  p.fits_l2 = weights <= static_cast<double>(t.l2_bytes);
  p.warm_total_us = p.total_us;
  if (p.fits_l2) {
    bool unused = false;
    const double l2_gbps = memory(t.l2_gbps * t.achievable_dram_fraction, t.l2_latency_ns, unused);
    const double warm_memory_us =
        weights / (l2_gbps * 1e3) + (dram_bytes - weights) / (p.memory_bandwidth_gbps * 1e3);
    p.warm_total_us =
        std::min(p.total_us, std::max(warm_memory_us, compute) + p.atomic_us + p.launch_us);
  }
  return p;
}

} // namespace lutgemm::model
