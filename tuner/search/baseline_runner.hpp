#pragma once
// Baselines inside a tune (cuda only): each selected provider (baselines/) runs on the problem's
// inputs, timed with the tuner's own measurement rules (CUDA events, warm-up, noise-based stop,
// rotated weight copies), and is stored as a measurement of its own kernel family (the provider's
// name), so that summaries and reports compare against it. Needs a current CUDA context.
#include "measure/statistics.hpp"
#include "problem/problem.hpp"
#include "store/store.hpp"

#include <optional>
#include <string>
#include <vector>

namespace lutgemm::search {

struct BaselineOutcome {
  std::string provider;
  Disposition disposition = Disposition::skipped;
  std::string message; // reason when not ok; the chosen configuration when ok
  std::optional<double> median_us;
};

struct BaselineRunContext {
  store::Store* store = nullptr;
  std::int64_t run_id = 0, device_id = 0, problem_id = 0;
  measure::StopPolicy stop;
  int weight_copies = 1;
  std::int64_t l2_bytes = 0; // > 0: each provider sizes its rotation from its own weight bytes
  double dram_peak_gbps = 0;
  std::uint64_t seed = 1;
};

std::vector<BaselineOutcome> run_baselines(const Problem& problem,
                                           const std::vector<std::string>& providers,
                                           const BaselineRunContext& context);

} // namespace lutgemm::search
