// `lutgemm model-check`: the performance model against the paper's tables and published GPU
// measurements (tuner/report/model_check.hpp), point by point and per kernel family.
#include "cli/command_registry.hpp"
#include "common/error.hpp"
#include "report/model_check.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <iostream>
#include <sstream>

namespace {
using namespace lutgemm;

std::string_view kind_text(report::CheckKind kind) {
  switch (kind) {
  case report::CheckKind::latency:
    return "latency_us";
  case report::CheckKind::speedup:
    return "speedup";
  case report::CheckKind::bound:
    return "bound";
  }
  return "?";
}

nlohmann::json points_json(const report::ModelCheck& check);
nlohmann::json families_json(const report::ModelCheck& check);

nlohmann::json to_json(const report::ModelCheck& check, const report::ModelCheck& held_out) {
  nlohmann::json j{{"source", "performance model (tuner/model) vs published GPU measurements"},
                   {"thresholds",
                    {{"family_mean_abs_error", report::kFamilyMeanThreshold},
                     {"family_min_points", report::kFamilyMinPoints},
                     {"point_abs_error", report::kPointThreshold},
                     {"table1_slope_error", report::kSlopeThreshold}}},
                   {"points", nlohmann::json::array()},
                   {"families", nlohmann::json::array()},
                   {"skipped", check.skipped},
                   {"table1_lutgemm_us_per_bit",
                    {{"published", check.published_slope_us_per_bit},
                     {"published_fixed_us", check.published_fixed_us},
                     {"model", check.model_slope_us_per_bit},
                     {"model_fixed_us", check.model_fixed_us}}},
                   {"failures", check.failures},
                   {"passed", check.passed()}};
  j["points"] = points_json(check);
  j["families"] = families_json(check);
  j["held_out"] = {{"source", "results/calibration/held_out_points.csv: published measurements "
                              "no model constant was chosen against"},
                   {"points", points_json(held_out)},
                   {"families", families_json(held_out)},
                   {"skipped", held_out.skipped},
                   {"failures", held_out.failures},
                   {"passed", held_out.passed()}};
  return j;
}

nlohmann::json points_json(const report::ModelCheck& check) {
  auto j = nlohmann::json::array();
  for (const auto& c : check.points) {
    j.push_back({{"source", c.source},
                 {"family", c.family},
                 {"target", c.target},
                 {"problem", c.problem},
                 {"kernel", c.kernel},
                 {"kind", kind_text(c.kind)},
                 {"l2", c.l2},
                 {"published", c.published},
                 {"model", c.model},
                 {"error", c.error},
                 {"note", c.note}});
  }
  return j;
}

nlohmann::json families_json(const report::ModelCheck& check) {
  auto j = nlohmann::json::array();
  for (const auto& f : check.families) {
    j.push_back({{"family", f.family},
                 {"points", f.points},
                 {"mean_abs_error", f.mean_abs_error},
                 {"worst_abs_error", f.worst_abs_error}});
  }
  return j;
}

void print_points(const report::ModelCheck& check) {
  fmt::print("{:<28} {:<10} {:<28} {:<10} {:>5} {:>10} {:>10} {:>8}\n", "family", "target",
             "problem", "kind", "L2", "published", "model", "error");
  for (const auto& c : check.points) {
    fmt::print("{:<28} {:<10} {:<28} {:<10} {:>5} {:>10.2f} {:>10.2f} {:>+7.1f}%\n", c.family,
               c.target, c.problem, kind_text(c.kind), c.l2, c.published, c.model, c.error * 100);
  }
  fmt::print("\n{:<28} {:>6} {:>10} {:>10}\n", "family", "points", "mean |err|", "worst |err|");
  for (const auto& f : check.families) {
    fmt::print("{:<28} {:>6} {:>9.1f}% {:>9.1f}%\n", f.family, f.points, f.mean_abs_error * 100,
               f.worst_abs_error * 100);
  }
}

std::string verdict(const report::ModelCheck& check) {
  return check.passed() ? "met" : fmt::format("NOT met ({} failures)", check.failures.size());
}

void print_text(const report::ModelCheck& check, const report::ModelCheck& held_out) {
  fmt::print("Performance model vs published GPU measurements (nothing here was measured by this "
             "project)\n\n");
  print_points(check);
  fmt::print("\nPaper Table 1, LUT-GEMM cost per bit: published {:.1f} us/bit (+{:.0f} us fixed), "
             "model {:.1f} us/bit (+{:.0f} us fixed)\n",
             check.published_slope_us_per_bit, check.published_fixed_us,
             check.model_slope_us_per_bit, check.model_fixed_us);
  for (const auto& s : check.skipped)
    fmt::print("skipped: {}\n", s);
  fmt::print("\nThresholds (family mean <= {:.0f}% for >= {} points, every point <= {:.0f}%, "
             "slope within {:.0f}%): {}\n",
             report::kFamilyMeanThreshold * 100, report::kFamilyMinPoints,
             report::kPointThreshold * 100, report::kSlopeThreshold * 100, verdict(check));
  for (const auto& f : check.failures)
    fmt::print("  {}\n", f);

  fmt::print("\nHeld-out set (results/calibration/held_out_points.csv: published points no model "
             "constant was chosen against)\n\n");
  print_points(held_out);
  for (const auto& s : held_out.skipped)
    fmt::print("skipped: {}\n", s);
  fmt::print("\nHeld-out, same thresholds: {}\n", verdict(held_out));
  for (const auto& f : held_out.failures)
    fmt::print("  {}\n", f);
}

class ModelCheckCommand final : public cli::Command {
public:
  void setup(CLI::App& app) override {
    app.add_option("--points", points_,
                   "Published points CSV (default: the embedded "
                   "results/calibration/published_points.csv)");
    app.add_option("--held-out", held_out_,
                   "Held-out points CSV, same columns (default: the embedded "
                   "results/calibration/held_out_points.csv)");
    app.add_flag("--json", json_, "Print JSON");
  }

  int run() override {
    const auto check =
        checked("--points", points_, report::embedded_published_points, report::run_model_check);
    const auto held_out = checked("--held-out", held_out_, report::embedded_held_out_points,
                                  report::run_held_out_check);
    if (json_)
      std::cout << to_json(check, held_out).dump(2) << "\n";
    else
      print_text(check, held_out);
    return 0;
  }

private:
  // The check over `path`'s points (the embedded file when empty); a file that cannot be read or
  // parsed is a UsageError naming the option.
  static report::ModelCheck checked(const char* option, const std::string& path,
                                    report::CsvTable (*embedded)(),
                                    report::ModelCheck (*run)(const report::CsvTable&)) {
    if (path.empty())
      return run(embedded());
    std::ifstream in(path);
    if (!in)
      throw UsageError(fmt::format("{}: cannot read '{}'", option, path));
    std::stringstream text;
    text << in.rdbuf();
    try {
      return run(report::parse_csv(text.str(), path));
    } catch (const RuntimeError& e) {
      throw UsageError(fmt::format("{}: {}", option, e.what()));
    }
  }

  std::string points_, held_out_;
  bool json_ = false;
};

const cli::Registration kRegistration{
    "model-check", "Performance model vs the paper's tables and published GPU measurements", 61,
    [] { return std::make_unique<ModelCheckCommand>(); }};
} // namespace
