// `lutgemm calibrate`: fits a device's efficiency constants (achievable DRAM fraction, DRAM
// latency) to its measured results (tuner/model/calibration.hpp) and stores them in the
// calibrations table; `--target "<device name>" --db D` then uses them (tuner/cli/
// calibrated_target.hpp). Everything is read and fitted before the one write: bad input leaves
// the database as it was.
#include "cli/cli_common.hpp"
#include "cli/command_registry.hpp"
#include "common/error.hpp"
#include "model/calibration.hpp"
#include "model/stored_workload.hpp"
#include "store/calibrations.hpp"
#include "store/schema.hpp"
#include "targets/gpu_spec.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <iostream>
#include <map>
#include <set>

namespace {
using namespace lutgemm;

nlohmann::json constant_json(const model::ConstantFit& c) {
  return {{"prior", c.prior},
          {"value", c.value},
          {"sensitive_points", c.sensitive_points},
          {"identified", c.identified},
          {"at_range_edge", c.at_range_edge}};
}

std::string verdict(const model::ConstantFit& c) {
  if (!c.identified)
    return "not identified: kept the prior";
  return c.at_range_edge ? "identified, at the edge of the search range" : "identified";
}

class CalibrateCommand final : public cli::Command {
public:
  void setup(CLI::App& app) override {
    app.add_option("--db", db_, "Results database holding the device's measurements")->required();
    app.add_option("--device", device_,
                   "Device name or key as stored (a unique part of the name is enough)")
        ->required();
    app.add_option("--target", base_,
                   "Built-in target to start from (default: the one matching the device name)");
    app.add_flag("--dry-run", dry_run_, "Fit and print, store nothing");
    app.add_flag("--json", json_, "Print JSON");
  }

  int run() override {
    auto db = store::open_existing_database(db_);
    const auto device = store::find_device(db, device_);
    if (!device) {
      std::string names;
      for (const auto& d : store::list_devices(db))
        names += (names.empty() ? "'" : ", '") + d.name + "'";
      throw UsageError(fmt::format("no device '{}' in {} (devices: {})", device_, db_,
                                   names.empty() ? std::string("none") : names));
    }
    if (device->backend != "cuda") {
      throw UsageError(fmt::format("device '{}' is a {} device: its times are the model's own; "
                                   "calibrate a cuda device's measurements",
                                   device->name, device->backend));
    }
    const GpuSpec& base = base_target(*device);
    const auto rows = store::measured_rows(db, device->id);
    if (rows.empty())
      throw UsageError(fmt::format("device '{}' has no measured ok results in {}: nothing to fit",
                                   device->name, db_));

    std::vector<model::CalibrationPoint> points;
    std::map<std::string, int> unmodelled; // family -> rows the model has no workload for
    std::set<std::int64_t> runs;
    for (const auto& r : rows) {
      std::optional<model::KernelWorkload> w;
      try {
        validate(r.problem);
        w = model::stored_variant_workload(r.family, r.label, r.params_json, r.problem, r.registers,
                                           &base);
      } catch (const UsageError&) {
        w.reset(); // an unreadable variant or problem is left out, and counted
      }
      if (!w) {
        ++unmodelled[r.family];
        continue;
      }
      runs.insert(r.run_id);
      points.push_back(
          {fmt::format("{} on {}", r.label, to_string(r.problem)), std::move(*w), r.median_us});
    }
    if (points.empty()) {
      throw UsageError(fmt::format("none of the {} measured results of '{}' is a kernel the model "
                                   "predicts: nothing to fit",
                                   rows.size(), device->name));
    }
    const auto fit = model::fit_efficiency(points, base);
    if (!fit.dram_fraction.identified && !fit.dram_latency.identified) {
      throw UsageError(fmt::format("the {} measurements of '{}' identify no constant (no point is "
                                   "memory-bound under the model): nothing stored",
                                   fit.points, device->name));
    }

    const nlohmann::json constants{
        {"base", std::string(base.key)},
        {"achievable_dram_fraction", fit.constants.achievable_dram_fraction},
        {"dram_latency_ns", fit.constants.dram_latency_ns}};
    nlohmann::json unmodelled_json = nlohmann::json::object();
    for (const auto& [family, n] : unmodelled)
      unmodelled_json[family] = n;
    const nlohmann::json fit_json{
        {"points", fit.points},
        {"not_launchable", fit.skipped},
        {"not_modelled", unmodelled_json},
        {"runs", runs},
        {"mean_abs_error_prior", fit.mean_abs_error_before},
        {"mean_abs_error_fit", fit.mean_abs_error_after},
        {"constants",
         {{fit.dram_fraction.name, constant_json(fit.dram_fraction)},
          {fit.dram_latency.name, constant_json(fit.dram_latency)}}},
        {"objective", "least squares of ln(model / measured), cold-L2 model times"}};

    std::int64_t id = 0;
    if (!dry_run_) {
      auto writable = store::open_existing_database(db_, store::Database::Mode::read_write_create);
      store::ensure_schema(writable); // an older lutgemm database gets the calibrations table
      id = store::insert_calibration(writable, device->id, constants.dump(), fit_json.dump());
    }
    if (json_) {
      nlohmann::json j{{"device", device->name},
                       {"device_key", device->key},
                       {"calibration_id", dry_run_ ? nlohmann::json(nullptr) : nlohmann::json(id)},
                       {"constants", constants},
                       {"fit", fit_json}};
      std::cout << j.dump(2) << "\n";
      return 0;
    }
    fmt::print("Calibrated '{}' ({}) from {} measurements ({} run{}), base target {}\n",
               device->name, device->key, fit.points, runs.size(), runs.size() == 1 ? "" : "s",
               base.key);
    for (const auto& [family, n] : unmodelled)
      fmt::print("  left out: {} {} result{} (no model workload)\n", n, family, n == 1 ? "" : "s");
    if (fit.skipped > 0)
      fmt::print("  left out: {} result{} the model cannot launch on {}\n", fit.skipped,
                 fit.skipped == 1 ? "" : "s", base.key);
    fmt::print("\n{:<26} {:>9} {:>9} {:>10}  {}\n", "constant", "prior", "fitted", "sensitive",
               "verdict");
    for (const auto* c : {&fit.dram_fraction, &fit.dram_latency}) {
      fmt::print("{:<26} {:>9.3f} {:>9.3f} {:>10}  {}\n", c->name, c->prior, c->value,
                 c->sensitive_points, verdict(*c));
    }
    fmt::print("\nModel mean |error| over these measurements: {:.1f}% with the prior, {:.1f}% "
               "with the fit\n",
               fit.mean_abs_error_before * 100, fit.mean_abs_error_after * 100);
    if (dry_run_) {
      fmt::print("--dry-run: nothing stored\n");
    } else {
      fmt::print("Stored as calibration {} in {}. Use it with --target \"{}\" --db {} (tune "
                 "--backend emu, predict).\n",
                 id, db_, device->name, db_);
    }
    return 0;
  }

private:
  const GpuSpec& base_target(const store::DeviceRow& device) const {
    if (!base_.empty())
      return find_target(base_);
    if (const GpuSpec* spec = match_device_name(device.name))
      return *spec;
    return cli::resolve_target("", device.arch);
  }

  std::string db_, device_, base_;
  bool dry_run_ = false, json_ = false;
};

const cli::Registration kRegistration{
    "calibrate", "Fit a device's model efficiency constants to its measurements and store them", 62,
    [] { return std::make_unique<CalibrateCommand>(); }};
} // namespace
