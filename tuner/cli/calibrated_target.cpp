#include "cli/calibrated_target.hpp"

#include "common/error.hpp"
#include "store/calibrations.hpp"
#include "targets/calibrated_targets.hpp"
#include "targets/gpu_spec_file.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <filesystem>

namespace lutgemm::cli {

const GpuSpec* load_calibrated_target(const std::string& target, const std::string& db_path) {
  if (target.empty() || is_target_spec_path(target) || try_find_target(target) != nullptr)
    return nullptr;
  if (const GpuSpec* known = try_find_calibrated_target(target))
    return known;
  std::error_code ec;
  if (db_path.empty() || !std::filesystem::is_regular_file(db_path, ec))
    return nullptr;
  auto db = store::open_existing_database(db_path);
  const std::string wanted = normalize_target_key(target);
  for (const auto& device : store::list_devices(db)) {
    if (normalize_target_key(device.name) != wanted && normalize_target_key(device.key) != wanted)
      continue;
    const auto calibration = store::latest_calibration(db, device.id);
    if (!calibration) {
      throw UsageError(fmt::format("device '{}' in {} has no calibration (run `lutgemm calibrate "
                                   "--db {} --device \"{}\"`)",
                                   device.name, db_path, db_path, device.name));
    }
    const auto constants = nlohmann::json::parse(calibration->constants_json, nullptr, false);
    const auto fit = nlohmann::json::parse(calibration->fit_json, nullptr, false);
    try {
      const GpuSpec& base = find_target(constants.at("base").get<std::string>());
      const EfficiencyConstants fitted{constants.at("achievable_dram_fraction").get<double>(),
                                       constants.at("dram_latency_ns").get<double>()};
      const std::string note = fmt::format(
          "calibration {} of '{}' ({}, {} measurements, base {}: achievable DRAM fraction {:.3f}, "
          "DRAM latency {:.0f} ns)",
          calibration->id, device.name, calibration->created_at,
          fit.is_object() ? fit.value("points", 0) : 0, base.key, fitted.achievable_dram_fraction,
          fitted.dram_latency_ns);
      return &register_calibrated_target(base, target, fmt::format("{} (calibrated)", device.name),
                                         fitted, note);
    } catch (const nlohmann::json::exception& e) {
      throw UsageError(fmt::format("calibration {} of '{}' in {} cannot be read: {}",
                                   calibration->id, device.name, db_path, e.what()));
    }
  }
  return nullptr;
}

} // namespace lutgemm::cli
