#pragma once
// Targets whose efficiency constants `lutgemm calibrate` fitted to a device's measurements: a
// built-in target (the base) with its modelling assumptions replaced by the fitted values. The
// command line loads one from a results database (tuner/cli/calibrated_target.hpp) and registers
// it here, after which find_target() finds it by its key like any built-in target.
#include "targets/gpu_spec.hpp"

#include <string>
#include <string_view>

namespace lutgemm {

// The per-target constants a calibration replaces (GpuSpec fields of the same names).
struct EfficiencyConstants {
  double achievable_dram_fraction = 0;
  double dram_latency_ns = 0;
};

EfficiencyConstants efficiency_of(const GpuSpec& spec);

// `base` with the constants replaced (strings still the base's: for a fit's trial values).
GpuSpec with_efficiency(const GpuSpec& base, const EfficiencyConstants& constants);

// Registers (or replaces nothing: the first registration of a key wins, so every lookup in a
// process sees one spec) a calibrated target under normalize_target_key(key). `calibration` says
// which calibration it is (printed wherever the target is). The reference stays valid for the
// life of the process.
const GpuSpec& register_calibrated_target(const GpuSpec& base, std::string_view key,
                                          std::string_view name, const EfficiencyConstants& fitted,
                                          std::string_view calibration);

// The registered calibrated target of this key (normalised), or nullptr.
const GpuSpec* try_find_calibrated_target(std::string_view key);

} // namespace lutgemm
