#include "targets/gpu_spec.hpp"

#include "common/error.hpp"
#include "targets/calibrated_targets.hpp"
#include "targets/gpu_spec_file.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <vector>

namespace lutgemm {
namespace {

constexpr std::int64_t kKiB = 1024;
constexpr std::int64_t kMiB = 1024 * kKiB;
constexpr std::int64_t kGiB = 1024 * kMiB;

// Per-architecture limits (CUDA C++ Programming Guide, "Technical Specifications per Compute
// Capability"): shared memory per SM, max per block with opt-in, threads and blocks per SM, and
// FP32 lanes per SM. Then two modelling assumptions per architecture, the loaded DRAM and L2
// latencies in ns: in the range pointer-chasing microbenchmarks publish (several hundred ns for
// DRAM, about 200-300 ns for L2), higher for HBM3 parts; they are the first figures
// `lutgemm calibrate` should replace with measured ones.
struct ArchLimits {
  std::int64_t smem_per_sm;
  std::int64_t smem_optin;
  int max_threads_per_sm;
  int max_blocks_per_sm;
  int fp32_lanes;
  double dram_latency_ns;
  double l2_latency_ns;
};
constexpr ArchLimits kSm75{64 * kKiB, 64 * kKiB, 1024, 16, 64, 500, 250};
constexpr ArchLimits kSm80{164 * kKiB, 163 * kKiB, 2048, 32, 64, 600, 250};
constexpr ArchLimits kSm86{100 * kKiB, 99 * kKiB, 1536, 16, 128, 550, 230};
constexpr ArchLimits kSm89{100 * kKiB, 99 * kKiB, 1536, 24, 128, 550, 230};
constexpr ArchLimits kSm90{228 * kKiB, 227 * kKiB, 2048, 32, 128, 650, 270};
constexpr ArchLimits kSm100{228 * kKiB, 227 * kKiB, 2048, 32, 128, 650, 270};

// Modelling assumption: a streaming kernel reads L2-resident data at about 2.5x the datasheet
// DRAM bandwidth (A100's whitepaper L2 figure, 5120 B/clk at 1.41 GHz = 7.2 TB/s, is 3.5x its
// DRAM; streaming kernels reach less). Used only for warm-L2 predictions.
constexpr double kL2OverDramBandwidth = 2.5;

constexpr GpuSpec make(std::string_view key, std::string_view name, int major, int minor,
                       std::string_view arch, const ArchLimits& limits, int sms, double gbps,
                       std::int64_t dram, std::int64_t l2, double clock_mhz, double tensor_tflops,
                       double achievable) {
  GpuSpec s;
  s.key = key;
  s.name = name;
  s.cc_major = major;
  s.cc_minor = minor;
  s.arch = arch;
  s.sm_count = sms;
  s.dram_gbps = gbps;
  s.dram_bytes = dram;
  s.l2_bytes = l2;
  s.smem_per_sm = limits.smem_per_sm;
  s.smem_per_block_optin = limits.smem_optin;
  s.smem_per_block_static = 48 * kKiB;
  s.regs_per_sm = 65536;
  s.max_regs_per_thread = 255;
  s.max_threads_per_sm = limits.max_threads_per_sm;
  s.max_threads_per_block = 1024;
  s.max_blocks_per_sm = limits.max_blocks_per_sm;
  s.boost_clock_mhz = clock_mhz;
  s.fp32_lanes_per_sm = limits.fp32_lanes;
  s.fp16_tensor_tflops = tensor_tflops;
  s.achievable_dram_fraction = achievable;
  s.dram_latency_ns = limits.dram_latency_ns;
  s.l2_latency_ns = limits.l2_latency_ns;
  s.l2_gbps = gbps * kL2OverDramBandwidth;
  return s;
}

// Datasheet figures (NVIDIA product datasheets and architecture whitepapers). Bandwidth in GB/s;
// L2 and memory as the vendor states them (MB/GB read as MiB/GiB, which is how the driver reports
// them); tensor: dense fp16 with fp32 accumulation (half the "with sparsity" figure).
// achievable (modelling assumption): HBM parts reach ~88-90% of peak in copy benchmarks (STREAM-
// like copies on A100 and H100); GDDR parts assumed 85%.
constexpr std::array kSpecs{
    make("t4", "NVIDIA T4", 7, 5, "sm_75", kSm75, 40, 320, 16 * kGiB, 4 * kMiB, 1590, 65, 0.85),
    make("a100-40gb", "NVIDIA A100 40GB SXM", 8, 0, "sm_80", kSm80, 108, 1555, 40 * kGiB, 40 * kMiB,
         1410, 312, 0.88),
    make("a100-80gb", "NVIDIA A100 80GB SXM", 8, 0, "sm_80", kSm80, 108, 2039, 80 * kGiB, 40 * kMiB,
         1410, 312, 0.88),
    // A100 80GB PCIe: same chip, 1935 GB/s (A100 datasheet, PCIe column).
    make("a100-80gb-pcie", "NVIDIA A100 80GB PCIe", 8, 0, "sm_80", kSm80, 108, 1935, 80 * kGiB,
         40 * kMiB, 1410, 312, 0.88),
    make("a10", "NVIDIA A10", 8, 6, "sm_86", kSm86, 72, 600, 24 * kGiB, 6 * kMiB, 1695, 125, 0.85),
    // RTX A6000 datasheet: 84 SMs (10752 CUDA cores), 768 GB/s GDDR6, 48 GB, 309.7 TFLOPS tensor
    // with sparsity; GA102 L2 6 MB; boost 1800 MHz.
    make("rtx-a6000", "NVIDIA RTX A6000", 8, 6, "sm_86", kSm86, 84, 768, 48 * kGiB, 6 * kMiB, 1800,
         154.8, 0.85),
    make("rtx-3090", "NVIDIA GeForce RTX 3090", 8, 6, "sm_86", kSm86, 82, 936, 24 * kGiB, 6 * kMiB,
         1695, 71, 0.85),
    make("l4", "NVIDIA L4", 8, 9, "sm_89", kSm89, 58, 300, 24 * kGiB, 48 * kMiB, 2040, 121, 0.85),
    // L40 datasheet: 142 SMs (18176 CUDA cores), 864 GB/s GDDR6, 48 GB, 362 TFLOPS fp16 tensor
    // with sparsity, boost 2490 MHz; AD102 L2 96 MB.
    make("l40", "NVIDIA L40", 8, 9, "sm_89", kSm89, 142, 864, 48 * kGiB, 96 * kMiB, 2490, 181,
         0.85),
    make("l40s", "NVIDIA L40S", 8, 9, "sm_89", kSm89, 142, 864, 48 * kGiB, 96 * kMiB, 2520, 362,
         0.85),
    make("rtx-4090", "NVIDIA GeForce RTX 4090", 8, 9, "sm_89", kSm89, 128, 1008, 24 * kGiB,
         72 * kMiB, 2520, 165, 0.85),
    make("h100-pcie", "NVIDIA H100 PCIe", 9, 0, "sm_90", kSm90, 114, 2000, 80 * kGiB, 50 * kMiB,
         1755, 756, 0.90),
    // H20 (China-market Hopper): 4.0 TB/s HBM3, 96 GB, 60 MB L2, 148 TFLOPS dense fp16 tensor;
    // 78 SMs as the driver reports them; clock not in the datasheet, assumed H100 SXM's.
    make("h20", "NVIDIA H20", 9, 0, "sm_90", kSm90, 78, 4000, 96 * kGiB, 60 * kMiB, 1980, 148,
         0.90),
    make("h100-sxm", "NVIDIA H100 SXM", 9, 0, "sm_90", kSm90, 132, 3350, 80 * kGiB, 50 * kMiB, 1980,
         989, 0.90),
    // H100 NVL: 3.9 TB/s, 94 GB (H100 datasheet, NVL column).
    make("h100-nvl", "NVIDIA H100 NVL", 9, 0, "sm_90", kSm90, 132, 3900, 94 * kGiB, 50 * kMiB, 1785,
         835, 0.90),
    make("h200", "NVIDIA H200 SXM", 9, 0, "sm_90", kSm90, 132, 4800, 141 * kGiB, 50 * kMiB, 1980,
         989, 0.90),
    // B200 (HGX B200 datasheet, per GPU): 8 TB/s HBM3e, 180 GB, 2.25 PFLOPS dense fp16 tensor;
    // 148 SMs, 126 MB L2 as the driver reports them; clock assumed 1965 MHz. Needs an NVRTC that
    // knows sm_100 (CUDA 12.8+) to compile for it.
    make("b200", "NVIDIA B200", 10, 0, "sm_100", kSm100, 148, 8000, 180 * kGiB, 126 * kMiB, 1965,
         2250, 0.90),
};

} // namespace

std::string normalize_target_key(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '_' || c == ' ')
      out.push_back('-');
    else
      out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  return out;
}

namespace {

std::vector<std::string> name_tokens(std::string_view name) {
  std::vector<std::string> tokens;
  std::string current;
  for (char c : name) {
    if (std::isalnum(static_cast<unsigned char>(c))) {
      current.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    } else if (!current.empty()) {
      tokens.push_back(current);
      current.clear();
    }
  }
  if (!current.empty())
    tokens.push_back(current);
  return tokens;
}

} // namespace

std::span<const GpuSpec> gpu_specs() {
  return kSpecs;
}

const GpuSpec* try_find_target(std::string_view key) {
  const std::string wanted = normalize_target_key(key);
  for (const auto& spec : kSpecs) {
    if (spec.key == wanted)
      return &spec;
  }
  return nullptr;
}

const GpuSpec& find_target(std::string_view key) {
  if (is_target_spec_path(key))
    return load_target_spec(key);
  if (const auto* spec = try_find_target(key))
    return *spec;
  if (const auto* spec = try_find_calibrated_target(key))
    return *spec;
  throw UsageError(fmt::format("unknown target '{}' (known: {})", key, known_target_keys()));
}

std::string known_target_keys() {
  std::string out;
  for (const auto& spec : kSpecs) {
    if (!out.empty())
      out += ", ";
    out += spec.key;
  }
  return out;
}

const GpuSpec* match_device_name(std::string_view device_name, std::int64_t memory_bytes) {
  const auto tokens = name_tokens(device_name);
  auto has = [&](std::string_view t) {
    return std::find(tokens.begin(), tokens.end(), t) != tokens.end();
  };
  auto has_prefix = [&](std::string_view p) {
    return std::any_of(tokens.begin(), tokens.end(),
                       [&](const std::string& t) { return t.starts_with(p); });
  };
  const char* key = nullptr;
  if (has_prefix("b200")) {
    key = "b200";
  } else if (has_prefix("h200")) {
    key = "h200";
  } else if (has("h20")) {
    key = "h20";
  } else if (has_prefix("h100")) {
    key = has("pcie") ? "h100-pcie" : has("nvl") ? "h100-nvl" : "h100-sxm";
  } else if (has_prefix("a100")) {
    const bool big = has("80gb") || memory_bytes > 48 * kGiB;
    key = !big ? "a100-40gb" : has("pcie") ? "a100-80gb-pcie" : "a100-80gb";
  } else if (has("a6000")) {
    key = "rtx-a6000";
  } else if (has("l40s")) {
    key = "l40s";
  } else if (has("l40")) {
    key = "l40";
  } else if (has("l4")) {
    key = "l4";
  } else if (has("a10")) {
    key = "a10";
  } else if (has("3090")) {
    key = "rtx-3090";
  } else if (has("4090")) {
    key = "rtx-4090";
  } else if (has("t4")) {
    key = "t4";
  }
  return key ? try_find_target(key) : nullptr;
}

} // namespace lutgemm
