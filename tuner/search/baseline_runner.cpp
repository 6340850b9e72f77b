#include "search/baseline_runner.hpp"

#include "baselines/provider.hpp"
#include "baselines/timer.hpp"
#include "quant/generate.hpp"
#include "quant/packed_gptq.hpp"
#include "quant/uniform.hpp"
#include "search/baseline_check.hpp"

#include <stdexcept>
#include <string>

namespace lutgemm::search {
namespace {

// A timed baseline whose output fails the verifier's rule: stored as wrong_result, not timed.
class WrongBaselineOutput : public std::runtime_error {
public:
  explicit WrongBaselineOutput(const std::string& what)
      : std::runtime_error("output differs from the float64 reference: " + what) {}
};

} // namespace

std::vector<BaselineOutcome> run_baselines(const Problem& problem,
                                           const std::vector<std::string>& providers,
                                           const BaselineRunContext& context) {
  std::vector<BaselineOutcome> outcomes;
  if (providers.empty())
    return outcomes;
  auto inputs = baselines::make_random_inputs(problem, context.seed);
  std::optional<PackedGptq> gptq;
  baselines::StopPolicyTimer timer(context.stop); // the tuner's rules, through the timer interface
  BaselineChecker checker(inputs);
  for (const auto& name : providers) {
    BaselineOutcome outcome;
    outcome.provider = name;
    auto provider = baselines::make_provider(name);
    store::MeasurementRecord r;
    r.run_id = context.run_id;
    r.device_id = context.device_id;
    r.problem_id = context.problem_id;
    r.source = TimeSource::measured;
    if (auto reason = provider->unsupported_reason(problem)) {
      outcome.message = *reason;
    } else {
      try {
        if (name.starts_with("optq") && !gptq) {
          auto w = gaussian_weights(problem.m, problem.k, context.seed);
          gptq =
              pack_gptq(quantize_rtn(w, problem.m, problem.k, problem.bits, problem.group_size()));
          inputs.gptq = &*gptq;
        }
        baselines::PrepareOptions options;
        options.weight_copies = context.weight_copies;
        options.cold_l2_bytes = context.l2_bytes;
        auto result = baselines::run(*provider, inputs, timer, options);
        const auto check = checker.check(name, result.output);
        if (check)
          r.max_error = check->max_abs_error;
        if (check && !check->ok)
          throw WrongBaselineOutput(check->message);
        std::vector<double> us;
        for (double ms : result.timing.ms)
          us.push_back(ms * 1000.0);
        auto s = measure::summarize(us);
        outcome.disposition = Disposition::ok;
        outcome.median_us = s.median;
        outcome.message = result.config;
        r.median_us = s.median;
        r.iqr_us = s.iqr;
        r.min_us = s.min;
        r.noise_pct = s.noise_pct();
        r.samples = s.samples;
        r.gbps = result.gb_per_s;
        if (context.dram_peak_gbps > 0)
          r.pct_dram_peak = 100.0 * result.gb_per_s / context.dram_peak_gbps;
      } catch (const WrongBaselineOutput& e) {
        outcome.disposition = Disposition::wrong_result;
        outcome.message = e.what();
      } catch (const std::exception& e) {
        outcome.disposition = Disposition::launch_error;
        outcome.message = e.what();
      }
    }
    r.disposition = outcome.disposition;
    r.message = outcome.message;
    r.variant_id = context.store->variant_id(name, name, "{}");
    context.store->record(r);
    outcomes.push_back(outcome);
  }
  return outcomes;
}

} // namespace lutgemm::search
