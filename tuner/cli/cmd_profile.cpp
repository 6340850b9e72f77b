// `lutgemm profile`: runs one LUT-GEMM variant in the host emulator with counting on, verifies it
// against the float64 reference, and prints what a profiler would report for its main launch
// (shared-memory wavefronts and bank conflicts, global requests and sectors, atomics, barriers),
// under Nsight Compute's metric names, with the model's time for the target with and without the
// counted figures. The counts are taken at the emulator's proxy shape (printed) unless --full.
#include "backend/emu_backend.hpp"
#include "cli/cli_common.hpp"
#include "cli/command_registry.hpp"
#include "common/error.hpp"
#include "emu/counter_names.hpp"
#include "search/variant_evaluator.hpp"
#include "space/families.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace lutgemm::cli {
namespace {

class ProfileCommand final : public Command {
public:
  void setup(CLI::App& app) override {
    problem_.add_to(app);
    app.add_option("--target", target_, "Built-in target of the model: " + known_target_keys())
        ->default_val(target_);
    app.add_option("--variant", variant_,
                   "The variant's label (as `lutgemm space` or `lutgemm report` print it)");
    app.add_option("--param", params_,
                   "Without --variant: the first variant with these values: name=v1,v2 "
                   "(default: the shipped default variant)");
    app.add_option("--seed", seed_, "Seed of the test data")->default_val(seed_);
    app.add_flag("--json", json_, "Print JSON");
  }

  int run() override {
    const Problem problem = problem_.problem();
    const GpuSpec& target = find_target(target_);
    auto space = space::family_space(space::Family::lutgemm);
    space::apply_restrictions(space, params_);
    const auto variant = choose(space, problem);
    const std::string& label = variant.label;

    search::EvaluatorConfig config;
    config.target = &target;
    config.limits = space::target_limits(target);
    config.dram_peak_gbps = target.dram_gbps;
    config.seed = seed_;
    emu::LaunchOptions launch;
    launch.isolate = true; // a faulting variant is reported, not the end of this process
    search::VariantEvaluator counted(std::make_shared<backend::EmuBackend>(launch, true), config);
    const auto outcome = counted.evaluate(problem, variant);
    if (outcome.disposition != Disposition::ok)
      throw RuntimeError(
          fmt::format("{}: {}: {}", label, to_string(outcome.disposition), outcome.message));
    const auto analytic = counted.predict_us(problem, variant);
    const auto counters =
        nlohmann::ordered_json::parse(outcome.counters.empty() ? "{}" : outcome.counters);
    const std::string shape = outcome.proxy_shape.empty()
                                  ? fmt::format("{}x{}", problem.m, problem.k)
                                  : outcome.proxy_shape;
    const double modelled = outcome.time_us ? outcome.time_us->median : 0.0;
    if (json_) {
      nlohmann::ordered_json j{
          {"variant", label},
          {"problem", to_string(problem)},
          {"counted_at_shape", shape},
          {"target", std::string(target.key)},
          {"counters", counters},
          {"model_us_with_counters", modelled},
          {"model_us_analytic", analytic ? nlohmann::json(*analytic) : nullptr},
          {"max_error", outcome.max_error ? nlohmann::json(*outcome.max_error) : nullptr}};
      fmt::print("{}\n", j.dump(2));
      return 0;
    }
    fmt::print("{}\n{} (emulated on this CPU at {}x{} -> counted at {}; not a GPU measurement)\n",
               label, to_string(problem), problem.m, problem.k, shape);
    for (const auto& [name, value] : counters.items()) {
      const double v = value.get<double>();
      if (v == static_cast<double>(static_cast<long long>(v)))
        fmt::print("  {:<60} {:>14}\n", name, static_cast<long long>(v));
      else
        fmt::print("  {:<60} {:>14.3f}\n", name, v);
    }
    fmt::print("model for {}: {:.1f} us with these counters, {} with its analytic estimates "
               "(modelled, not measured)\n",
               target.key, modelled,
               analytic ? fmt::format("{:.1f} us", *analytic) : std::string("not launchable"));
    return 0;
  }

private:
  space::KernelVariant choose(const space::SearchSpace& space, const Problem& problem) const {
    const auto accepted = space::accepted_variants(space, problem);
    if (accepted.empty())
      throw UsageError(fmt::format("no LUT-GEMM variant of the space fits {} with these --param "
                                   "values",
                                   to_string(problem)));
    if (!variant_.empty()) {
      for (const auto& v : accepted)
        if (v.label == variant_ || v.point.label() == variant_)
          return v;
      throw UsageError(fmt::format("no variant labelled '{}' fits {} (see `lutgemm space`)",
                                   variant_, to_string(problem)));
    }
    if (params_.empty()) {
      const auto defaults = default_lut_params(problem.bits, problem.batch);
      for (const auto& v : accepted)
        if (v.lut() == defaults)
          return v;
    }
    return accepted.front();
  }

  ProblemOptions problem_;
  std::string target_ = "a100-80gb", variant_;
  std::vector<std::string> params_;
  std::uint64_t seed_ = 1;
  bool json_ = false;
};

const Registration kRegistration{
    "profile",
    "Count one variant's memory requests in the emulator (bank conflicts, sectors; ncu names)", 35,
    [] { return std::make_unique<ProfileCommand>(); }};

} // namespace
} // namespace lutgemm::cli
