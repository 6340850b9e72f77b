// `lutgemm report`: the paper's tables next to this device's measurements, DRAM floors and the
// model. `--table results` lists every stored result (the data behind scripts/plots.py).
#include "cli/command_registry.hpp"
#include "cli/target_spec_option.hpp"
#include "common/error.hpp"
#include "report/report_tables.hpp"
#include "report/result_queries.hpp"
#include "targets/gpu_spec.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <iostream>

namespace {
using namespace lutgemm;
using namespace lutgemm::report;

std::string lower(std::string s) {
  for (auto& ch : s)
    ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return s;
}

// The device whose results the report shows: --device (exact, else a unique case-insensitive
// substring), else the only device of the database.
std::optional<DeviceInfo> choose_device(const std::vector<DeviceInfo>& devices,
                                        const std::string& wanted) {
  std::string names;
  for (const auto& d : devices)
    names += (names.empty() ? "'" : ", '") + d.name + "'";
  if (wanted.empty()) {
    if (devices.empty())
      return std::nullopt;
    if (devices.size() == 1)
      return devices.front();
    throw UsageError(
        fmt::format("the database holds several devices ({}); pick one with --device", names));
  }
  std::vector<const DeviceInfo*> matches;
  for (const auto& d : devices) {
    if (d.name == wanted)
      return d;
    if (lower(d.name).find(lower(wanted)) != std::string::npos)
      matches.push_back(&d);
  }
  if (matches.size() == 1)
    return *matches.front();
  throw UsageError(fmt::format("{} device '{}' in the database (devices: {})",
                               matches.empty() ? "no" : "more than one", wanted,
                               names.empty() ? std::string("none") : names));
}

class ReportCommand final : public cli::Command {
public:
  void setup(CLI::App& app) override {
    app.add_option("--table", table_, "1, 2, 3 (3/7), 4, 5, all, or results (every stored result)")
        ->default_val("all");
    app.add_option("--db", db_,
                   "Results database (from `lutgemm tune`); without it every "
                   "measured cell reads \"not measured\"");
    app.add_option("--device", device_, "Device in the database (name or unique part of it)");
    auto* target_option =
        app.add_option("--target", target_,
                       "Built-in GPU for floors and the model (default: the device's own, else "
                       "a100-80gb): " +
                           known_target_keys());
    cli::add_target_spec_option(app, target_, target_option);
    app.add_option("--format", format_, "md, csv or json")->default_val("md");
  }

  int run() override {
    const Format format = format_from_string(format_);
    std::vector<TableId> ids;
    const bool results_listing = table_ == "results";
    if (!results_listing)
      ids = table_ == "all" ? all_tables() : std::vector<TableId>{table_id_from_string(table_)};

    ReportContext context;
    std::optional<DeviceInfo> device;
    std::unique_ptr<ResultQueries> queries;
    if (!db_.empty()) {
      queries = open_result_database(db_);
      device = choose_device(queries->devices(), device_);
    } else if (!device_.empty()) {
      throw UsageError("--device needs --db");
    }
    if (device) {
      context.device = device->name;
      context.results = queries->results(device->name);
    }
    if (!target_.empty()) {
      context.target = &find_target(target_);
    } else if (device && !device->target_key.empty()) {
      context.target = &find_target(device->target_key);
    } else if (device) {
      context.target = match_device_name(device->name, device->memory_bytes);
      if (!context.target) {
        throw UsageError(fmt::format("device '{}' has no built-in spec for its DRAM floor; pass "
                                     "--target (known: {})",
                                     device->name, known_target_keys()));
      }
    } else {
      context.target = &find_target("a100-80gb");
    }

    std::vector<ReportTable> tables;
    if (results_listing)
      tables.push_back(build_results_table(context));
    for (TableId id : ids)
      tables.push_back(build_table(id, context));
    std::cout << render(tables, format, context);
    return 0;
  }

private:
  std::string table_, db_, device_, target_, format_;
};

const cli::Registration kRegistration{
    "report", "The paper's tables beside this device's measurements, DRAM floors and the model", 70,
    [] { return std::make_unique<ReportCommand>(); }};
} // namespace
