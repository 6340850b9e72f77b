#include "search/strategy.hpp"

#include "common/error.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <numeric>
#include <random>

namespace lutgemm::search {

std::string to_string(Strategy strategy) {
  switch (strategy) {
  case Strategy::exhaustive:
    return "exhaustive";
  case Strategy::random:
    return "random";
  case Strategy::model:
    return "model";
  }
  return "unknown";
}

Strategy strategy_from_string(std::string_view text) {
  for (auto s : {Strategy::exhaustive, Strategy::random, Strategy::model})
    if (text == to_string(s))
      return s;
  throw UsageError(fmt::format("unknown strategy '{}' (allowed: exhaustive, random, model)", text));
}

std::vector<std::size_t> plan_order(std::size_t count, const std::vector<double>& predicted_us,
                                    const StrategyOptions& options) {
  std::vector<std::size_t> order(count);
  std::iota(order.begin(), order.end(), std::size_t{0});
  switch (options.strategy) {
  case Strategy::exhaustive:
    break;
  case Strategy::random: {
    // std::shuffle's result depends on the library; a Fisher-Yates over mt19937_64 does not.
    std::mt19937_64 rng(options.seed);
    for (std::size_t i = count; i > 1; --i)
      std::swap(order[i - 1], order[rng() % i]);
    // With predictions, the draw is among the variants the model can launch on the target (their
    // shared memory and threads fit): a budget is not spent on resource_limit rows.
    if (predicted_us.size() == count)
      std::stable_partition(order.begin(), order.end(),
                            [&](std::size_t i) { return predicted_us[i] > 0; });
    break;
  }
  case Strategy::model:
    if (predicted_us.size() != count)
      throw RuntimeError("model strategy: one prediction per candidate is required");
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      bool known_a = predicted_us[a] > 0, known_b = predicted_us[b] > 0;
      if (known_a != known_b)
        return known_a;
      return known_a && predicted_us[a] < predicted_us[b];
    });
    break;
  }
  if (options.budget > 0 && order.size() > options.budget)
    order.resize(options.budget);
  return order;
}

void EarlyStop::observe(std::optional<double> time_us) {
  if (time_us && *time_us > 0 && (!best_ || *time_us < *best_ * (1.0 - options_.improvement))) {
    best_ = time_us;
    since_improvement_ = 0;
    return;
  }
  if (time_us && best_ && *time_us < *best_)
    best_ = time_us; // a small gain still moves the best, but does not reset patience
  ++since_improvement_;
}

bool EarlyStop::should_stop() const {
  return options_.strategy == Strategy::model && options_.patience > 0 &&
         since_improvement_ >= options_.patience;
}

} // namespace lutgemm::search
