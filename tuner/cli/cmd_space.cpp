// `lutgemm space`: a kernel family's search space for one problem: every variant, how many remain
// after the family's constraints and after the static pre-filter for a target (threads and shared
// memory from the launch plan; registers and spills need a compile: `lutgemm compile`), with the
// reason for each removal.
#include "cli/cli_common.hpp"
#include "cli/command_registry.hpp"
#include "cli/space_options.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <map>

namespace lutgemm::cli {
namespace {

class SpaceCommand final : public Command {
public:
  void setup(CLI::App& app) override {
    options_.add_to(app,
                    {"GPU architecture (sm_80, sm_90, ...): picks a target", "default a100-80gb",
                     "The small curated subspace (what the emulator default tunes)"});
    app.add_flag("--summary", summary_, "Counts and reasons only, no per-variant lines");
    app.add_flag("--json", json_, "Print JSON");
  }

  int run() override {
    const auto choice = options_.resolve();
    const auto& [family, problem, target] = choice;
    auto space = options_.search_space(choice);
    // --summary needs only the counts: the full LUT-GEMM space's rejections take gigabytes.
    auto enumeration = space::enumerate(
        space, problem, summary_ ? space::Rejections::counted : space::Rejections::kept);
    const auto limits = space::target_limits(target);

    std::vector<space::KernelVariant> kept;
    std::vector<space::Rejection> removed = enumeration.rejected;
    const std::size_t after_constraints = enumeration.accepted.size();
    for (const auto& point : enumeration.accepted) {
      auto variant = space::make_kernel_variant(space, point, problem);
      auto usage = space::plan_resources(space::variant_plan(problem, variant));
      if (auto verdict = space::prefilter(usage, limits))
        removed.push_back({point, "prefilter", verdict->rule, verdict->reason});
      else
        kept.push_back(std::move(variant));
    }
    std::map<std::string, std::size_t> by_rule = enumeration.rejected_by_rule;
    for (const auto& r : removed)
      if (r.stage == "prefilter")
        ++by_rule[r.stage + ":" + r.rule];

    if (json_) {
      nlohmann::json j{{"kernel", space::to_string(family)},
                       {"problem", to_string(problem)},
                       {"target", std::string(target.key)},
                       {"arch", target.arch_text()},
                       {"total", enumeration.total},
                       {"after_constraints", after_constraints},
                       {"after_prefilter", kept.size()},
                       {"prefilter_note", "threads and shared memory from the launch plan; "
                                          "registers and spills are checked by lutgemm compile"},
                       {"removed_by_rule", by_rule},
                       {"variants", nlohmann::json::array()},
                       {"removed", nlohmann::json::array()}};
      for (const auto& v : kept)
        j["variants"].push_back(
            {{"label", v.label}, {"params", nlohmann::json::parse(v.point.params_json())}});
      if (!summary_)
        for (const auto& r : removed)
          j["removed"].push_back({{"label", r.variant.label()},
                                  {"stage", r.stage},
                                  {"rule", r.rule},
                                  {"reason", r.reason}});
      fmt::print("{}\n", j.dump(2));
      return 0;
    }
    fmt::print("{} search space for {} (pre-filter target {}, {})\n", space.family,
               to_string(problem), target.key, target.arch);
    for (const auto& p : space.parameters) {
      std::string values;
      for (const auto& v : p.values)
        values += (values.empty() ? "" : ", ") + space::to_string(v);
      fmt::print("  {:<16} {}\n", p.name, values);
    }
    fmt::print("points {}, after constraints {}, after the static pre-filter {}\n",
               enumeration.total, after_constraints, kept.size());
    fmt::print("(pre-filter here: threads and shared memory of the launch plan; registers and "
               "spills are checked after compiling, see lutgemm compile)\n");
    for (const auto& [rule, count] : by_rule)
      fmt::print("  removed by {}: {}\n", rule, count);
    if (summary_)
      return 0;
    fmt::print("\nvariants ({}):\n", kept.size());
    for (const auto& v : kept)
      fmt::print("  {}\n", v.label);
    fmt::print("\nremoved ({}):\n", removed.size());
    for (const auto& r : removed)
      fmt::print("  {}  [{} {}] {}\n", r.variant.label(), r.stage, r.rule, r.reason);
    return 0;
  }

private:
  SpaceOptions options_;
  bool summary_ = false, json_ = false;
};

const Registration kRegistration{
    "space",
    "List a kernel family's variants for a problem, with constraint and pre-filter "
    "removals",
    20, [] { return std::make_unique<SpaceCommand>(); }};

} // namespace
} // namespace lutgemm::cli
