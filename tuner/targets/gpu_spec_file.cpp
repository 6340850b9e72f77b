#include "targets/gpu_spec_file.hpp"

#include "common/error.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <charconv>
#include <deque>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <string>

namespace lutgemm {
namespace {

// A loaded spec owns the strings its GpuSpec's views point at; entries are never removed, so the
// references handed out stay valid.
struct OwnedSpec {
  std::string key, name, arch;
  GpuSpec spec;
};

std::deque<OwnedSpec>& loaded_specs() {
  static std::deque<OwnedSpec> specs;
  return specs;
}

class SpecReader {
public:
  SpecReader(const nlohmann::json& j, std::string_view origin, bool have_base)
      : j_(j), origin_(origin), have_base_(have_base) {}

  [[noreturn]] void fail(std::string_view field, std::string_view why) const {
    throw UsageError(fmt::format("target spec {}: field '{}' {}", origin_, field, why));
  }

  // Integer fields: present (or inherited from base), an integer, and within [low, high].
  template <typename T>
  void integer(std::string_view field, T& out, long long low, long long high) {
    seen_.insert(std::string(field));
    if (!j_.contains(field)) {
      if (!have_base_)
        fail(field, "is missing (give it, or \"base\": a built-in target to start from)");
      return;
    }
    const auto& v = j_.at(std::string(field));
    if (!v.is_number_integer())
      fail(field, fmt::format("must be an integer (got {})", v.dump()));
    const long long value = v.get<long long>();
    if (value < low || value > high)
      fail(field, fmt::format("must be in {}..{} (got {})", low, high, value));
    out = static_cast<T>(value);
  }

  void number(std::string_view field, double& out, double low, double high) {
    seen_.insert(std::string(field));
    if (!j_.contains(field)) {
      if (!have_base_)
        fail(field, "is missing (give it, or \"base\": a built-in target to start from)");
      return;
    }
    const auto& v = j_.at(std::string(field));
    if (!v.is_number())
      fail(field, fmt::format("must be a number (got {})", v.dump()));
    const double value = v.get<double>();
    if (!(value >= low && value <= high))
      fail(field, fmt::format("must be in {}..{} (got {})", low, high, value));
    out = value;
  }

  bool text(std::string_view field, std::string& out) {
    seen_.insert(std::string(field));
    if (!j_.contains(field))
      return false;
    const auto& v = j_.at(std::string(field));
    if (!v.is_string() || v.get<std::string>().empty())
      fail(field, fmt::format("must be a non-empty string (got {})", v.dump()));
    out = v.get<std::string>();
    return true;
  }

  void reject_unknown() const {
    for (const auto& [field, value] : j_.items()) {
      if (!seen_.contains(field))
        fail(field, "is not a GpuSpec field (see tuner/targets/gpu_spec_file.hpp)");
    }
  }

private:
  const nlohmann::json& j_;
  std::string_view origin_;
  bool have_base_;
  std::set<std::string, std::less<>> seen_;
};

// "sm_90" -> (9, 0), "sm_100" -> (10, 0), "sm_86" -> (8, 6).
bool parse_arch(std::string_view arch, int& major, int& minor) {
  if (!arch.starts_with("sm_") || arch.size() < 5)
    return false;
  const std::string_view digits = arch.substr(3);
  int value = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec != std::errc() || end != digits.data() + digits.size() || value < 50)
    return false;
  major = value / 10;
  minor = value % 10;
  return true;
}

} // namespace

bool is_target_spec_path(std::string_view target) {
  return target.size() > 5 && target.ends_with(".json");
}

const GpuSpec& parse_target_spec(std::string_view json_text, std::string_view origin) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(json_text);
  } catch (const nlohmann::json::exception& e) {
    throw UsageError(fmt::format("target spec {}: not valid JSON ({})", origin, e.what()));
  }
  if (!j.is_object())
    throw UsageError(fmt::format("target spec {}: must be a JSON object", origin));

  OwnedSpec owned;
  std::string base_key;
  const bool have_base = j.contains("base");
  SpecReader r(j, origin, have_base);
  if (r.text("base", base_key)) {
    const GpuSpec* base = try_find_target(base_key);
    if (!base)
      r.fail("base", fmt::format("names no built-in target (known: {})", known_target_keys()));
    owned.spec = *base;
    owned.key = std::string(base->key);
    owned.name = std::string(base->name);
    owned.arch = std::string(base->arch);
  }
  GpuSpec& s = owned.spec;
  if (!r.text("key", owned.key) && !have_base)
    r.fail("key", "is missing");
  if (!r.text("name", owned.name))
    owned.name = owned.key;
  if (r.text("arch", owned.arch)) {
    if (!parse_arch(owned.arch, s.cc_major, s.cc_minor))
      r.fail("arch", fmt::format("must look like sm_80 or sm_100 (got \"{}\")", owned.arch));
  } else if (!have_base) {
    r.fail("arch", "is missing (give it, or \"base\": a built-in target to start from)");
  }
  constexpr long long kBig = 1ll << 50;
  r.integer("sm_count", s.sm_count, 1, 4096);
  r.number("dram_gbps", s.dram_gbps, 1, 1e6);
  r.integer("dram_bytes", s.dram_bytes, 1, kBig);
  r.integer("l2_bytes", s.l2_bytes, 0, kBig);
  r.integer("smem_per_sm", s.smem_per_sm, 1, 1 << 24);
  r.integer("smem_per_block_optin", s.smem_per_block_optin, 1, 1 << 24);
  r.integer("smem_per_block_static", s.smem_per_block_static, 1, 1 << 24);
  r.integer("regs_per_sm", s.regs_per_sm, 1024, 1 << 24);
  r.integer("max_regs_per_thread", s.max_regs_per_thread, 16, 1024);
  r.integer("max_threads_per_sm", s.max_threads_per_sm, 32, 1 << 16);
  r.integer("max_threads_per_block", s.max_threads_per_block, 32, 1 << 16);
  r.integer("max_blocks_per_sm", s.max_blocks_per_sm, 1, 1024);
  r.integer("warp_size", s.warp_size, 32, 32);
  r.integer("smem_banks", s.smem_banks, 1, 1024);
  r.number("boost_clock_mhz", s.boost_clock_mhz, 1, 1e5);
  r.integer("fp32_lanes_per_sm", s.fp32_lanes_per_sm, 1, 4096);
  r.number("fp16_tensor_tflops", s.fp16_tensor_tflops, 0, 1e6);
  // Modelling assumptions: defaults when neither the file nor a base gives them.
  const bool had_l2_gbps = j.contains("l2_gbps") || have_base;
  SpecReader optional(j, origin, /*have_base=*/true);
  optional.number("achievable_dram_fraction", s.achievable_dram_fraction, 0.05, 1.0);
  optional.number("dram_latency_ns", s.dram_latency_ns, 1, 1e5);
  optional.number("l2_latency_ns", s.l2_latency_ns, 1, 1e5);
  optional.number("l2_gbps", s.l2_gbps, 1, 1e7);
  if (!had_l2_gbps)
    s.l2_gbps = 2.5 * s.dram_gbps; // as the built-in table assumes (gpu_spec.cpp)
  // One reader must know every field to reject the unknown ones.
  SpecReader all(j, origin, true);
  for (const char* f : {"base", "key", "name", "arch"}) {
    std::string ignored;
    all.text(f, ignored);
  }
  for (const char* f : {"sm_count", "dram_bytes", "l2_bytes", "smem_per_sm", "smem_per_block_optin",
                        "smem_per_block_static", "regs_per_sm", "max_regs_per_thread",
                        "max_threads_per_sm", "max_threads_per_block", "max_blocks_per_sm",
                        "warp_size", "smem_banks", "fp32_lanes_per_sm"}) {
    long long ignored = 0;
    all.integer(f, ignored, -kBig, kBig);
  }
  for (const char* f :
       {"dram_gbps", "boost_clock_mhz", "fp16_tensor_tflops", "achievable_dram_fraction",
        "dram_latency_ns", "l2_latency_ns", "l2_gbps"}) {
    double ignored = 0;
    all.number(f, ignored, -1e300, 1e300);
  }
  all.reject_unknown();
  if (s.smem_per_block_optin > s.smem_per_sm)
    r.fail("smem_per_block_optin", "must not exceed smem_per_sm");
  if (s.max_threads_per_block > s.max_threads_per_sm)
    r.fail("max_threads_per_block", "must not exceed max_threads_per_sm");

  static std::mutex mutex;
  std::lock_guard lock(mutex);
  auto& specs = loaded_specs();
  specs.push_back(std::move(owned));
  OwnedSpec& kept = specs.back();
  kept.spec.key = kept.key;
  kept.spec.name = kept.name;
  kept.spec.arch = kept.arch;
  return kept.spec;
}

const GpuSpec& load_target_spec(std::string_view path) {
  // The same file is read once per process (find_target may be called for it many times).
  static std::mutex mutex;
  static std::map<std::string, const GpuSpec*, std::less<>> by_path;
  {
    std::lock_guard lock(mutex);
    if (auto it = by_path.find(path); it != by_path.end())
      return *it->second;
  }
  std::ifstream in{std::string(path)};
  if (!in)
    throw UsageError(fmt::format("target spec {}: cannot read the file", path));
  std::stringstream text;
  text << in.rdbuf();
  const GpuSpec& spec = parse_target_spec(text.str(), path);
  std::lock_guard lock(mutex);
  by_path.emplace(std::string(path), &spec);
  return spec;
}

} // namespace lutgemm
