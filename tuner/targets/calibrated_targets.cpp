#include "targets/calibrated_targets.hpp"

#include <deque>
#include <mutex>

namespace lutgemm {
namespace {

// A registered target owns the strings its GpuSpec's views point at; entries are never removed,
// so the references handed out stay valid.
struct OwnedTarget {
  std::string key, name, arch, calibration;
  GpuSpec spec;
};

struct Registry {
  std::mutex mutex;
  std::deque<OwnedTarget> targets;
};

Registry& registry() {
  static Registry r;
  return r;
}

} // namespace

EfficiencyConstants efficiency_of(const GpuSpec& spec) {
  return {spec.achievable_dram_fraction, spec.dram_latency_ns};
}

GpuSpec with_efficiency(const GpuSpec& base, const EfficiencyConstants& constants) {
  GpuSpec s = base;
  s.achievable_dram_fraction = constants.achievable_dram_fraction;
  s.dram_latency_ns = constants.dram_latency_ns;
  return s;
}

const GpuSpec& register_calibrated_target(const GpuSpec& base, std::string_view key,
                                          std::string_view name, const EfficiencyConstants& fitted,
                                          std::string_view calibration) {
  auto& r = registry();
  const std::string wanted = normalize_target_key(key);
  std::lock_guard lock(r.mutex);
  for (const auto& t : r.targets) {
    if (t.key == wanted)
      return t.spec;
  }
  r.targets.push_back({wanted, std::string(name), std::string(base.arch), std::string(calibration),
                       with_efficiency(base, fitted)});
  OwnedTarget& kept = r.targets.back();
  kept.spec.key = kept.key;
  kept.spec.name = kept.name;
  kept.spec.arch = kept.arch;
  kept.spec.calibration = kept.calibration;
  return kept.spec;
}

const GpuSpec* try_find_calibrated_target(std::string_view key) {
  auto& r = registry();
  const std::string wanted = normalize_target_key(key);
  std::lock_guard lock(r.mutex);
  for (const auto& t : r.targets) {
    if (t.key == wanted)
      return &t.spec;
  }
  return nullptr;
}

} // namespace lutgemm
