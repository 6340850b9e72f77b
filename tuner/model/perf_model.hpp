#pragma once
// The performance model: predicts a kernel's time on a target GPU from what it has to do. The input
// is family-neutral (a KernelWorkload: bytes, shared-memory operations, ALU work, atomics and the
// launch shape), so the same model serves LUT-GEMM variants, the OPTQ-style kernels and cuBLAS
// (tuner/model/workloads.hpp builds the workloads).
//
// What it is: a roofline with occupancy. DRAM time is bytes over an achievable fraction of the
// datasheet bandwidth, reduced when too few SMs or warps are busy to keep DRAM saturated;
// shared-memory time counts warp-wide table stores and lookups (each lookup serialised by its
// expected bank-conflict factor) against one shared-memory wavefront per SM per clock; ALU time
// counts FP32-lane operations; atomics run at an assumed L2 rate. The parts overlap imperfectly:
// the total is the largest part plus kOverlapLoss of the others, plus a launch overhead per launch.
// The constants below are assumptions, not calibrations: they are stated so that a measurement can
// prove them wrong (`lutgemm report` shows the model's error next to each measurement).
#include "targets/gpu_spec.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace lutgemm::model {

// Assumptions of the model (see the comment above).
inline constexpr double kLaunchOverheadUs = 2.0;     // per kernel launch, timed with CUDA events
inline constexpr double kOverlapLoss = 0.3;          // fraction of non-dominant parts not hidden
inline constexpr double kWarpsToSaturateDram = 16.0; // resident warps per SM to hide DRAM latency
inline constexpr double kAtomicsPerClockPerSm = 1.0; // global (L2) atomics per SM per clock
inline constexpr std::int64_t kSmemReservedPerBlock =
    1024; // driver-reserved smem per block, sm_80+

struct KernelWorkload {
  std::string name;                // e.g. "cuBLAS fp16 GEMV", "LUT-GEMM q3 g128 th2048 kt32"
  double dram_bytes = 0;           // unique bytes that must cross the DRAM interface
  double smem_build_ops = 0;       // per-thread shared-memory stores (table entries written)
  double smem_lookups = 0;         // per-thread shared-memory table reads
  double bank_conflict_factor = 1; // expected wavefronts per warp-wide lookup (1 = conflict-free)
  double alu_ops = 0;              // per-thread FP32-lane operations (FMA, add, unpack)
  double atomics = 0;              // global atomic operations (each half2 atomic counts once)
  std::int64_t grid_blocks = 1;    // blocks of the main launch
  int threads_per_block = 128;
  int regs_per_thread = 32;
  std::int64_t smem_per_block = 0; // static + dynamic shared memory per block, bytes
  int launches = 1;                // kernel launches per call (e.g. a zeroing kernel + the GEMV)
};

enum class Bound { dram, smem, alu, atomics, launch };
std::string_view to_string(Bound bound);
Bound bound_from_string(std::string_view text); // throws UsageError

struct Prediction {
  bool launchable = true;
  std::string
      not_launchable_reason; // e.g. "needs 200 KiB shared memory per block; sm_80 allows 163"
  // Occupancy
  int blocks_per_sm = 0;
  std::string occupancy_limiter; // "threads", "registers", "shared memory", "blocks"
  double occupancy = 0;          // resident warps / max warps per SM (theoretical)
  double waves = 0;              // grid blocks / (blocks per SM x SMs)
  double active_sm_fraction = 0; // SMs that get any block
  // Parts, microseconds
  double dram_floor_us = 0; // bytes at 100% of datasheet bandwidth: no kernel can beat it
  double dram_us = 0;       // bytes at the achievable fraction, corrected for occupancy
  double smem_us = 0;
  double alu_us = 0;
  double atomic_us = 0;
  double launch_us = 0;
  double total_us = 0;
  Bound bound = Bound::dram; // the largest part
};

// Bytes over the datasheet peak, in microseconds.
double dram_floor_us(double bytes, const GpuSpec& target);

Prediction predict(const KernelWorkload& workload, const GpuSpec& target);

} // namespace lutgemm::model
