#pragma once
// The built-in GPU spec table: datasheet figures of the GPUs the tuner can target without owning
// one. The static pre-filter (registers, shared memory, threads against the limits), `--target`
// and the performance model all read it. Every figure is a public datasheet or CUDA programming
// guide value, except the fields marked "modelling assumption" (efficiency and latencies), which
// `lutgemm model-check` tests against published measurements. It is the one GPU table of the
// project: cuda/device_info.cpp takes a device's datasheet bandwidth from here too.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace lutgemm {

struct GpuSpec {
  std::string_view key;  // stable lower-case id used on the command line: "a100-80gb"
  std::string_view name; // marketing name: "NVIDIA A100 80GB SXM"
  int cc_major = 0;      // compute capability, e.g. 8.0
  int cc_minor = 0;
  std::string_view arch; // NVRTC -arch value: "sm_80"
  int sm_count = 0;
  double dram_gbps = 0.0;                 // peak DRAM bandwidth, GB/s (10^9 bytes/s), datasheet
  std::int64_t dram_bytes = 0;            // device memory size
  std::int64_t l2_bytes = 0;              // L2 cache size
  std::int64_t smem_per_sm = 0;           // shared memory per SM (bytes)
  std::int64_t smem_per_block_optin = 0;  // max dynamic shared memory per block after opt-in
  std::int64_t smem_per_block_static = 0; // max without opt-in (48 KiB on every arch here)
  int regs_per_sm = 0;                    // 32-bit registers per SM
  int max_regs_per_thread = 0;
  int max_threads_per_sm = 0;
  int max_threads_per_block = 0;
  int max_blocks_per_sm = 0;
  int warp_size = 32;
  int smem_banks = 32;           // 4-byte banks
  double boost_clock_mhz = 0;    // SM boost clock
  int fp32_lanes_per_sm = 0;     // FP32 FMA lanes per SM per clock (CUDA cores)
  double fp16_tensor_tflops = 0; // dense FP16 tensor-core TFLOP/s with FP32 accumulation
  // Modelling assumption (not datasheet): the fraction of peak DRAM bandwidth a well-written
  // streaming kernel reaches (about 88% on A100, 90-92% on H100 measured in copies).
  double achievable_dram_fraction = 0.88;
  // Modelling assumptions (tuner/targets/gpu_spec.cpp gives the reasons): loaded memory latency,
  // which with Little's law sets how many bytes must be in flight, and the L2 bandwidth a
  // streaming kernel sees when its data is L2-resident (warm regime).
  double dram_latency_ns = 600;
  double l2_latency_ns = 250;
  double l2_gbps = 0;
  // "" for a built-in or file spec; for a target fitted by `lutgemm calibrate`, which calibration
  // (tuner/targets/calibrated_targets.hpp), printed wherever the target is.
  std::string_view calibration;

  std::string arch_text() const { return std::string(arch); }
  int compute_capability() const { return cc_major * 10 + cc_minor; } // 80, 90, ...
};

// All built-in targets, in a fixed order (by architecture, then bandwidth).
std::span<const GpuSpec> gpu_specs();

// Lookup by key (case-insensitive; '_' and ' ' read as '-'). nullptr when unknown.
const GpuSpec* try_find_target(std::string_view key);

// Lookup by key; throws UsageError "unknown target 'x' (known: a100-40gb, ...)". A key ending in
// ".json" is a spec file (tuner/targets/gpu_spec_file.hpp): any GPU, validated. A calibrated
// target registered in this process (tuner/targets/calibrated_targets.hpp) is found by its key.
const GpuSpec& find_target(std::string_view key);

// A target key as lookups compare it: lower case, '_' and ' ' read as '-'.
std::string normalize_target_key(std::string_view text);

// "a100-40gb, a100-80gb, ..." for error messages and --help.
std::string known_target_keys();

// Best match of a CUDA device name (cuDeviceGetName, e.g. "NVIDIA A100-SXM4-80GB") and its memory
// size in bytes (0 if unknown) to a built-in target; nullptr when nothing matches. Used to give a
// measured device its datasheet bandwidth (the DRAM floor) in reports.
const GpuSpec* match_device_name(std::string_view device_name, std::int64_t memory_bytes = 0);

} // namespace lutgemm
