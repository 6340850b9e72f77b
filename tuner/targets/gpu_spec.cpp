#include "targets/gpu_spec.hpp"

#include "common/error.hpp"

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
// FP32 lanes per SM.
struct ArchLimits {
  std::int64_t smem_per_sm;
  std::int64_t smem_optin;
  int max_threads_per_sm;
  int max_blocks_per_sm;
  int fp32_lanes;
};
constexpr ArchLimits kSm75{64 * kKiB, 64 * kKiB, 1024, 16, 64};
constexpr ArchLimits kSm80{164 * kKiB, 163 * kKiB, 2048, 32, 64};
constexpr ArchLimits kSm86{100 * kKiB, 99 * kKiB, 1536, 16, 128};
constexpr ArchLimits kSm89{100 * kKiB, 99 * kKiB, 1536, 24, 128};
constexpr ArchLimits kSm90{228 * kKiB, 227 * kKiB, 2048, 32, 128};

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
  return s;
}

// Datasheet figures. Bandwidth in GB/s; L2 and memory as the vendor states them (MB/GB read as
// MiB/GiB, which is how the driver reports them). achievable: modelling assumption (HBM parts
// reach ~88-90% of peak in copy benchmarks; GDDR parts assumed 85%).
constexpr std::array kSpecs{
    make("t4", "NVIDIA T4", 7, 5, "sm_75", kSm75, 40, 320, 16 * kGiB, 4 * kMiB, 1590, 65, 0.85),
    make("a100-40gb", "NVIDIA A100 40GB SXM", 8, 0, "sm_80", kSm80, 108, 1555, 40 * kGiB, 40 * kMiB,
         1410, 312, 0.88),
    make("a100-80gb", "NVIDIA A100 80GB SXM", 8, 0, "sm_80", kSm80, 108, 2039, 80 * kGiB, 40 * kMiB,
         1410, 312, 0.88),
    make("a10", "NVIDIA A10", 8, 6, "sm_86", kSm86, 72, 600, 24 * kGiB, 6 * kMiB, 1695, 125, 0.85),
    make("rtx-3090", "NVIDIA GeForce RTX 3090", 8, 6, "sm_86", kSm86, 82, 936, 24 * kGiB, 6 * kMiB,
         1695, 71, 0.85),
    make("l4", "NVIDIA L4", 8, 9, "sm_89", kSm89, 58, 300, 24 * kGiB, 48 * kMiB, 2040, 121, 0.85),
    make("l40s", "NVIDIA L40S", 8, 9, "sm_89", kSm89, 142, 864, 48 * kGiB, 96 * kMiB, 2520, 362,
         0.85),
    make("rtx-4090", "NVIDIA GeForce RTX 4090", 8, 9, "sm_89", kSm89, 128, 1008, 24 * kGiB,
         72 * kMiB, 2520, 165, 0.85),
    make("h100-pcie", "NVIDIA H100 PCIe", 9, 0, "sm_90", kSm90, 114, 2000, 80 * kGiB, 50 * kMiB,
         1755, 756, 0.90),
    make("h100-sxm", "NVIDIA H100 SXM", 9, 0, "sm_90", kSm90, 132, 3350, 80 * kGiB, 50 * kMiB, 1980,
         989, 0.90),
    make("h200", "NVIDIA H200 SXM", 9, 0, "sm_90", kSm90, 132, 4800, 141 * kGiB, 50 * kMiB, 1980,
         989, 0.90),
};

std::string normalize_key(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '_' || c == ' ')
      out.push_back('-');
    else
      out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  return out;
}

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
  const std::string wanted = normalize_key(key);
  for (const auto& spec : kSpecs) {
    if (spec.key == wanted)
      return &spec;
  }
  return nullptr;
}

const GpuSpec& find_target(std::string_view key) {
  if (const auto* spec = try_find_target(key))
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
  if (has_prefix("h200")) {
    key = "h200";
  } else if (has_prefix("h100")) {
    key = has("pcie") ? "h100-pcie" : "h100-sxm";
  } else if (has_prefix("a100")) {
    const bool big = has("80gb") || memory_bytes > 48 * kGiB;
    key = big ? "a100-80gb" : "a100-40gb";
  } else if (has("l40s")) {
    key = "l40s";
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
