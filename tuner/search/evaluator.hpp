#pragma once
// What the tune driver needs from "a kernel family on a backend": its search space for a problem,
// an optional time prediction (the model strategy), the full per-variant pipeline (compile,
// pre-filter, verify, time or model) and, where timing is real, a batch of re-measured samples for
// the leaders. Variants arrive parsed (space::KernelVariant, made once in the driver's plan), so
// no evaluator reads knob text. tuner/search/variant_evaluator.* implements it over the real
// modules; tests use fakes.
#include "measure/disposition.hpp"
#include "measure/statistics.hpp"
#include "problem/problem.hpp"
#include "space/kernel_variant.hpp"
#include "space/prefilter.hpp"
#include "space/search_space.hpp"

#include <optional>
#include <string>
#include <vector>

namespace lutgemm::search {

struct VariantOutcome {
  Disposition disposition = Disposition::skipped;
  std::string message; // why it failed, or notes ("verified at proxy 512x1024")
  TimeSource source = TimeSource::measured;
  std::optional<measure::Summary> time_us;
  std::optional<double> gbps, pct_dram_peak, max_error;
  std::optional<space::ResourceUsage> resources;
  std::string proxy_shape;
  std::string clocks;
  bool retryable = false; // a failure a later run should evaluate again (measurements.retryable)
  // Emulated counters of the main launch as a JSON object (emu/counter_names.hpp), "" when none.
  std::string counters;
};

class Evaluator {
public:
  virtual ~Evaluator() = default;
  virtual std::string family() const = 0;
  virtual TimeSource source() const = 0; // what evaluate() reports times as
  virtual space::SearchSpace space(const Problem& problem) = 0;
  // Predicted time in microseconds for the model strategy; nullopt when there is no model.
  virtual std::optional<double> predict_us(const Problem&, const space::KernelVariant&) {
    return std::nullopt;
  }
  virtual VariantOutcome evaluate(const Problem& problem, const space::KernelVariant& variant) = 0;
  // A short batch of fresh timing samples (microseconds) for leader re-measurement; empty when
  // times are not measured (a model gives the same number every time).
  virtual std::vector<double> remeasure(const Problem&, const space::KernelVariant&) { return {}; }
};

} // namespace lutgemm::search
