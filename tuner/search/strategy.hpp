#pragma once
// Search strategies: which variants to try, in which order, and when to stop early.
//   exhaustive  every variant that passed the constraints and the pre-filter, in space order
//   random      a seeded sample of `budget` variants
//   model       lowest predicted time first (the performance model), stopping early once
//               `patience` variants in a row did not beat the best by more than the noise
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lutgemm::search {

enum class Strategy { exhaustive, random, model };
std::string to_string(Strategy strategy);
Strategy strategy_from_string(std::string_view text); // UsageError listing the names

struct StrategyOptions {
  Strategy strategy = Strategy::exhaustive;
  std::size_t budget = 0; // 0: no limit (random: all, in a random order)
  std::uint64_t seed = 1;
  std::size_t patience = 8;  // model: stop after this many non-improving variants
  double improvement = 0.01; // model: "beat the best" means faster by more than 1%
};

// The order in which to evaluate `count` candidates (indices), applying the budget.
// `predicted_us` (one per candidate, <= 0 when unknown or not launchable) is used by the model
// strategy, unknown predictions last; given to the random strategy, it puts the variants without a
// prediction (the model cannot launch them on the target) after the others, keeping the random
// order within each part.
std::vector<std::size_t> plan_order(std::size_t count, const std::vector<double>& predicted_us,
                                    const StrategyOptions& options);

// The model strategy's early stop, fed each finished variant's time (nullopt for a failure).
class EarlyStop {
public:
  explicit EarlyStop(const StrategyOptions& options) : options_(options) {}
  void observe(std::optional<double> time_us);
  bool should_stop() const;
  std::optional<double> best() const { return best_; }

private:
  StrategyOptions options_;
  std::optional<double> best_;
  std::size_t since_improvement_ = 0;
};

} // namespace lutgemm::search
