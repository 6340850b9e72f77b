#pragma once
// The performance model: predicts a kernel's time on a target GPU from what it has to do. The input
// is family-neutral (a KernelWorkload: bytes, shared-memory operations, ALU work, atomics and the
// launch shape), so the same model serves LUT-GEMM variants, the OPTQ-style kernels and cuBLAS
// (tuner/model/workloads.hpp builds the workloads).
//
// What it is (model v2, issue 10): a roofline whose memory side follows Little's law. Memory time
// is bytes over the smaller of (a) the target's achievable DRAM bandwidth (per-target fraction of
// the datasheet, GpuSpec::achievable_dram_fraction) and (b) the bytes the busy SMs keep in flight
// divided by the memory latency (GpuSpec::dram_latency_ns): a small grid or a kernel with few loads
// outstanding is latency-bound, on every architecture by its own latency. Shared-memory time counts
// warp-wide table stores and lookups (each lookup serialised by its expected bank-conflict factor)
// against one wavefront per SM per clock; ALU time counts FP32-lane operations (a workload counts
// packed half2 arithmetic as one operation per two values); tensor-core time counts FLOPs against
// the dense fp16 tensor throughput. These overlap: the total is the largest of them, plus the parts
// that do not overlap, each counted once: the atomics tail, the launches, and serial passes (a
// zeroing kernel, a split-K reduction kernel) that run before or after the main kernel.
// Two L2 regimes: cold (weights streamed from DRAM, as the harness times with rotated buffers; the
// one tuning uses) and warm (weights that fit in L2 re-read from it at GpuSpec::l2_gbps and the L2
// latency, as benchmarks that repeat one call on the same weights see).
// The constants are assumptions with their reasons; `lutgemm model-check` shows how far they are
// from published measurements and `lutgemm report` from this project's own.
#include "targets/gpu_spec.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace lutgemm::model {

// Assumptions of the model (see the comment above).
inline constexpr double kLaunchOverheadUs = 2.0;     // per kernel launch, timed with CUDA events
inline constexpr double kAtomicsPerClockPerSm = 1.0; // global (L2) atomics per SM per clock
// A kernel that does not say otherwise keeps one 16-byte (128-bit) load per thread in flight.
inline constexpr double kDefaultBytesInFlightPerThread = 16;
// cuBLAS on GEMV-like shapes picks split-K (or smaller tiles) until every SM has work: modelled as
// at least this many blocks per SM when KernelWorkload::fill_gpu is set (an assumption; cuBLAS's
// heuristics are not published).
inline constexpr int kFillBlocksPerSm = 2;
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
  double tensor_flops = 0;         // FLOPs on fp16 tensor cores (2 per multiply-add)
  // Bytes that a warm L2 can hold between calls (the weights): when they fit in L2, the warm
  // regime reads them from L2. 0: the whole dram_bytes.
  double weight_bytes = 0;
  // Bytes of loads each thread keeps outstanding (unrolling x vector width): the memory-level
  // parallelism Little's law needs.
  double bytes_in_flight_per_thread = kDefaultBytesInFlightPerThread;
  bool fill_gpu = false; // the library splits K to give every SM work (cuBLAS; see above)
  // When fill_gpu splits K, the partial sums (fp32) go to a workspace and a second kernel adds
  // them into y: cuBLAS's split-K GEMMs do this (its `splitKreduce_kernel` is the second launch
  // in profiles of small-batch GEMMs). Counts one more launch, the partials the GEMM writes, and
  // the reduce pass (read the partials, write y) as a serial pass. output_elements: M x batch.
  bool split_k_reduce = false;
  double output_elements = 0;
  // Bytes moved by extra passes that do not overlap the main kernel (e.g. zeroing y before a
  // split-K GEMV), at the achievable DRAM bandwidth.
  double serial_bytes = 0;
  std::int64_t grid_blocks = 1; // blocks of the main launch
  int threads_per_block = 128;
  int regs_per_thread = 32;
  std::int64_t smem_per_block = 0; // static + dynamic shared memory per block, bytes
  int launches = 1;                // kernel launches per call (e.g. a zeroing kernel + the GEMV)
};

enum class Bound { dram, smem, alu, atomics, launch, tensor };
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
  double dram_us = 0;       // cold: bytes at the achievable bandwidth or the latency bound
  double memory_bandwidth_gbps =
      0;                      // what dram_us assumes: min(achievable, bytes in flight / latency)
  bool latency_bound = false; // the bytes in flight, not the bandwidth, set dram_us
  double smem_us = 0;
  double alu_us = 0;
  double tensor_us = 0;
  double atomic_us = 0;
  double launch_us = 0;     // launch overhead of every launch plus serial passes
  int k_splits = 1;         // K slices fill_gpu gave the grid (1: none)
  double total_us = 0;      // cold L2: what tuning ranks by and the harness measures
  double warm_total_us = 0; // warm L2 (weights resident when they fit); = total_us when they do not
  bool fits_l2 = false;
  Bound bound = Bound::dram; // the largest part
};

// Bytes over the datasheet peak, in microseconds.
double dram_floor_us(double bytes, const GpuSpec& target);

Prediction predict(const KernelWorkload& workload, const GpuSpec& target);

} // namespace lutgemm::model
