#include "search/tune_driver.hpp"

#include "measure/timing_plan.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <thread>

namespace lutgemm::search {

struct detail::PlannedProblem {
  Problem problem;
  std::int64_t problem_id = 0;
  space::Enumeration enumeration;
  std::vector<std::string> labels; // the family's label of each accepted variant
  std::vector<std::size_t> order;  // indices into enumeration.accepted
  std::vector<double> predictions; // the model strategy's, per accepted variant
};

namespace {

store::MeasurementRecord to_record(const VariantOutcome& outcome) {
  store::MeasurementRecord r;
  r.disposition = outcome.disposition;
  r.message = outcome.message;
  r.source = outcome.source;
  if (outcome.time_us) {
    r.median_us = outcome.time_us->median;
    r.iqr_us = outcome.time_us->iqr;
    r.min_us = outcome.time_us->min;
    r.noise_pct = outcome.time_us->noise_pct();
    r.samples = outcome.time_us->samples;
  }
  r.gbps = outcome.gbps;
  r.pct_dram_peak = outcome.pct_dram_peak;
  r.max_error = outcome.max_error;
  if (outcome.resources) {
    r.registers = outcome.resources->registers;
    r.smem_bytes = outcome.resources->static_smem + outcome.resources->dynamic_smem;
    r.spill_bytes = outcome.resources->spill_stores + outcome.resources->spill_loads;
  }
  r.proxy_shape = outcome.proxy_shape;
  r.clocks = outcome.clocks;
  r.retryable = outcome.retryable;
  if (!outcome.counters.empty())
    r.counters = outcome.counters;
  return r;
}

using Planned = detail::PlannedProblem;

// Narrows each problem's order to this shard's part of the work over all problems, balanced by the
// model's predicted time (the same split in every shard of the same command). A variant goes to one
// shard for all the problems that chose it: its compiled kernel (the same for every shape) is then
// built by that shard alone, not once per shard.
void keep_shard(std::vector<Planned>& planned, Evaluator& evaluator, const ShardSpec& shard) {
  std::map<std::string, double> cost_of; // label -> predicted time summed over the problems
  for (auto& p : planned) {
    for (auto index : p.order) {
      std::optional<double> cost;
      if (index < p.predictions.size())
        cost = p.predictions[index];
      else
        cost = evaluator.predict_us(p.problem, p.enumeration.accepted[index]);
      cost_of[p.labels[index]] += std::max(0.0, cost.value_or(0.0));
    }
  }
  std::vector<ShardItem> items;
  for (const auto& [label, cost] : cost_of)
    items.push_back({"", label, cost});
  const auto shard_of = assign_shards(items, shard.count);
  std::map<std::string, int> shard_of_label;
  for (std::size_t i = 0; i < items.size(); ++i)
    shard_of_label[items[i].label] = shard_of[i];
  for (auto& p : planned) {
    std::vector<std::size_t> mine;
    for (auto index : p.order)
      if (shard_of_label.at(p.labels[index]) == shard.index)
        mine.push_back(index);
    p.order = std::move(mine);
  }
}

// A problem's summary before any result: its space and what the constraints kept.
ProblemSummary summary_of(const Planned& p, TimeSource source) {
  ProblemSummary summary;
  summary.problem = p.problem;
  summary.total = p.enumeration.total;
  summary.after_constraints = p.enumeration.accepted.size();
  summary.source = source;
  return summary;
}

} // namespace

std::vector<Planned> TuneDriver::plan(const std::vector<Problem>& problems) {
  std::vector<Planned> planned;
  for (const auto& problem : problems) {
    Planned p;
    p.problem = problem;
    p.problem_id = store_.problem_id(problem);
    auto space = evaluator_.space(problem);
    p.enumeration = enumerate(space, problem);
    for (const auto& variant : p.enumeration.accepted)
      p.labels.push_back(space.label(variant, problem));
    std::vector<double> predictions;
    if (options_.strategy.strategy == Strategy::model) {
      for (const auto& variant : p.enumeration.accepted)
        predictions.push_back(evaluator_.predict_us(problem, variant).value_or(0.0));
    }
    p.order = plan_order(p.enumeration.accepted.size(), predictions, options_.strategy);
    p.predictions = std::move(predictions);
    planned.push_back(std::move(p));
  }
  return planned;
}

std::vector<ProblemSummary>
TuneDriver::run(const std::vector<Problem>& problems,
                const std::function<void(const ProgressEvent&)>& progress,
                const std::atomic<bool>* stop) {
  using Clock = std::chrono::steady_clock;
  const auto family = evaluator_.family();
  const auto source = evaluator_.source();

  auto planned = plan(problems);
  if (!options_.shard.all())
    keep_shard(planned, evaluator_, options_.shard);
  std::size_t total = 0;
  for (const auto& p : planned)
    total += p.order.size();

  std::vector<ProblemSummary> summaries;
  std::size_t done = 0, evaluated_total = 0;
  double evaluated_seconds = 0;
  for (auto& p : planned) {
    auto summary = summary_of(p, source);

    auto existing = store_.existing(device_id_, p.problem_id, source);
    std::map<std::string, double> ok_times; // label -> median, this problem
    std::map<std::string, std::string> proxy;
    EarlyStop early(options_.strategy);
    auto note_result = [&](const std::string& label, Disposition d, std::optional<double> time,
                           const std::string& proxy_shape) {
      if (d == Disposition::ok && time) {
        ok_times[label] = *time;
        proxy[label] = proxy_shape;
        ++summary.ok;
      } else if (d == Disposition::skipped) {
        ++summary.skipped;
      } else {
        ++summary.failed;
      }
      early.observe(d == Disposition::ok ? time : std::nullopt);
    };
    auto best = [&]() -> std::pair<std::string, std::optional<double>> {
      std::pair<std::string, std::optional<double>> b;
      for (const auto& [label, time] : ok_times)
        if (!b.second || time < *b.second)
          b = {label, time};
      return b;
    };

    // One variant: taken from the database when final there, else claimed (store::Store::claim)
    // and evaluated. Returns false when another tuner on the database holds its claim.
    auto attempt = [&](std::size_t index) -> bool {
      const auto& variant = p.enumeration.accepted[index];
      const auto& label = p.labels[index];
      ProgressEvent event;
      event.total = total;
      event.problem = to_string(p.problem);
      event.source = source;
      event.variant = label;
      auto found = existing.find(label);
      std::optional<store::StoredMeasurement> stored;
      if (found != existing.end() && found->second.is_final())
        stored = found->second;
      std::int64_t variant_id = 0;
      if (!stored) {
        variant_id = store_.variant_id(family, label, variant.params_json());
        auto claim = store_.claim(device_id_, p.problem_id, variant_id, run_id_, source,
                                  options_.claim_lease_s);
        if (claim == store::Store::Claim::busy)
          return false;
        if (claim == store::Store::Claim::done) { // another tuner finished it meanwhile
          existing = store_.existing(device_id_, p.problem_id, source);
          stored = existing.at(label);
          ++claimed_elsewhere_;
        }
      }
      if (stored) {
        note_result(label, stored->disposition, stored->median_us, stored->proxy_shape);
        ++summary.resumed;
        event.resumed = true;
        event.disposition = stored->disposition;
      } else {
        auto started = Clock::now();
        auto outcome = evaluator_.evaluate(p.problem, variant);
        evaluated_seconds += std::chrono::duration<double>(Clock::now() - started).count();
        ++evaluated_total;
        auto record = to_record(outcome);
        record.run_id = run_id_;
        record.device_id = device_id_;
        record.problem_id = p.problem_id;
        record.variant_id = variant_id;
        store_.record(record); // committed before the next variant starts
        store_.release_claim(device_id_, p.problem_id, variant_id);
        note_result(label, outcome.disposition,
                    outcome.time_us ? std::optional<double>(outcome.time_us->median) : std::nullopt,
                    outcome.proxy_shape);
        ++summary.evaluated;
        event.disposition = outcome.disposition;
      }
      ++done;
      event.done = done;
      auto [best_label, best_time] = best();
      event.best_us = best_time;
      event.best_variant = best_label;
      double per_variant = evaluated_total ? evaluated_seconds / evaluated_total : 0.0;
      event.eta_s = per_variant * static_cast<double>(total - done);
      if (progress)
        progress(event);
      return true;
    };

    std::size_t position = 0;
    std::vector<std::size_t> claimed_by_others; // indices to come back to
    for (; position < p.order.size(); ++position) {
      if (stop != nullptr && stop->load()) {
        interrupted_ = true;
        break;
      }
      if (early.should_stop())
        break;
      if (!attempt(p.order[position]))
        claimed_by_others.push_back(p.order[position]);
    }
    // Variants other tuners hold: wait for their results (or for a dead claimer's lease to end).
    while (!interrupted_ && !claimed_by_others.empty()) {
      std::vector<std::size_t> still;
      for (auto index : claimed_by_others) {
        if (stop != nullptr && stop->load()) {
          interrupted_ = true;
          break;
        }
        if (!attempt(index))
          still.push_back(index);
      }
      if (interrupted_)
        break;
      claimed_by_others = std::move(still);
      if (!claimed_by_others.empty())
        std::this_thread::sleep_for(std::chrono::duration<double>(options_.claim_poll_s));
    }
    if (interrupted_) {
      // What finished is stored; show the best of it (not re-measured: the sweep was cut short).
      if (auto [label, time] = best(); time) {
        summary.best_variant = label;
        summary.best_us = time;
        summary.proxy_shape = proxy[label];
        summary.note = "interrupted: best of the variants finished so far, not re-measured";
      }
      summaries.push_back(summary);
      break;
    }
    // What the early stop left is stored as skipped, with the reason. What lies outside a random or
    // model budget is only counted: a row per untried variant was 10k-35k rows per problem.
    std::string skip_reason =
        position < p.order.size()
            ? fmt::format("early stop: {} variants in a row did not beat the best",
                          options_.strategy.patience)
            : std::string();
    std::vector<bool> attempted(p.enumeration.accepted.size(), false);
    std::vector<bool> in_order(p.enumeration.accepted.size(), false); // not reached: early stop
    for (std::size_t i = 0; i < position; ++i)
      attempted[p.order[i]] = true;
    for (std::size_t j = position; j < p.order.size(); ++j)
      in_order[p.order[j]] = true;
    for (std::size_t i = 0; i < p.enumeration.accepted.size(); ++i) {
      if (attempted[i])
        continue;
      if (!in_order[i]) {
        ++summary.skipped; // outside the budget: counted, not stored
        continue;
      }
      const auto& variant = p.enumeration.accepted[i];
      const auto& label = p.labels[i];
      if (existing.count(label) && existing[label].is_final())
        continue;
      store::MeasurementRecord r;
      r.run_id = run_id_;
      r.device_id = device_id_;
      r.problem_id = p.problem_id;
      r.variant_id = store_.variant_id(family, label, variant.params_json());
      r.disposition = Disposition::skipped;
      r.source = source;
      r.message = skip_reason;
      store_.record(r);
      ++summary.skipped;
    }

    settle_leaders(p, ok_times, proxy, options_.shard.all() && options_.remeasure_leaders, summary);
    summaries.push_back(summary);
  }
  return summaries;
}

void TuneDriver::settle_leaders(const Planned& p, const std::map<std::string, double>& ok_times,
                                const std::map<std::string, std::string>& proxy, bool remeasure,
                                ProblemSummary& summary) {
  const auto family = evaluator_.family();
  const auto source = evaluator_.source();
  // Leaders within the window are re-measured interleaved before the winner is chosen.
  std::map<std::string, std::size_t> by_label;
  for (std::size_t i = 0; i < p.labels.size(); ++i)
    by_label[p.labels[i]] = i;
  std::vector<std::string> labels;
  std::vector<double> times;
  for (const auto& [label, time] : ok_times) {
    if (!by_label.count(label))
      continue; // stored by an older space that no longer has it
    labels.push_back(label);
    times.push_back(time);
  }
  auto variant_of = [&](std::size_t leader) -> const space::Variant& {
    return p.enumeration.accepted[by_label.at(labels[leader])];
  };
  auto lead = measure::leaders(times, options_.leader_window);
  if (lead.size() > options_.max_leaders)
    lead.resize(options_.max_leaders);
  for (auto index : lead)
    summary.leaders.push_back(labels[index]);
  std::optional<std::size_t> winner = lead.empty() ? std::nullopt : std::optional(lead.front());
  if (lead.size() > 1 && source == TimeSource::measured && remeasure) {
    std::vector<std::vector<double>> samples(lead.size());
    for (auto index : measure::interleaved_schedule(lead.size(), options_.remeasure_rounds)) {
      auto batch = evaluator_.remeasure(p.problem, variant_of(lead[index]));
      samples[index].insert(samples[index].end(), batch.begin(), batch.end());
    }
    bool all =
        std::all_of(samples.begin(), samples.end(), [](const auto& s) { return !s.empty(); });
    if (all) {
      for (std::size_t i = 0; i < lead.size(); ++i) {
        auto s = measure::summarize(samples[i]);
        store::MeasurementRecord r;
        r.run_id = run_id_;
        r.device_id = device_id_;
        r.problem_id = p.problem_id;
        r.variant_id =
            store_.variant_id(family, labels[lead[i]], variant_of(lead[i]).params_json());
        r.phase = "remeasure";
        r.disposition = Disposition::ok;
        r.source = source;
        r.median_us = s.median;
        r.iqr_us = s.iqr;
        r.min_us = s.min;
        r.noise_pct = s.noise_pct();
        r.samples = s.samples;
        r.message = fmt::format("leader re-measured interleaved with {} others", lead.size() - 1);
        store_.record(r);
      }
      winner = lead[measure::pick_winner(samples)];
      summary.leaders_remeasured = lead.size();
    }
  } else if (lead.size() > 1 && source == TimeSource::measured) {
    summary.note = fmt::format("{} leaders within {:.0f}%, not re-measured in this part of the "
                               "work: run `lutgemm tune --retest-leaders` once it is all stored",
                               lead.size(), options_.leader_window * 100);
  } else if (lead.size() > 1) {
    summary.note = fmt::format("{} leaders within {:.0f}%; {} times are not re-measured",
                               lead.size(), options_.leader_window * 100, to_string(source));
  }
  if (winner) {
    summary.best_variant = labels[*winner];
    summary.best_us = times[*winner];
    if (auto it = proxy.find(labels[*winner]); it != proxy.end())
      summary.proxy_shape = it->second;
    auto stored = store_.existing(device_id_, p.problem_id, source);
    if (auto it = stored.find(labels[*winner]); it != stored.end()) {
      summary.best_gbps = it->second.gbps;
      summary.best_pct_peak = it->second.pct_dram_peak;
    }
  }
}

std::vector<ProblemSummary> TuneDriver::retest_leaders(const std::vector<Problem>& problems) {
  const auto source = evaluator_.source();
  auto planned = plan(problems);
  // Inside a shard (the parent of `--devices` workers given --shard): this shard's part, whose
  // leaders are re-tested after the merge, not here.
  if (!options_.shard.all())
    keep_shard(planned, evaluator_, options_.shard);
  std::vector<ProblemSummary> summaries;
  for (const auto& p : planned) {
    auto summary = summary_of(p, source);
    // What the sweep of the whole work stored, counted as run() counts it.
    auto stored = store_.existing(device_id_, p.problem_id, source);
    std::map<std::string, double> ok_times;
    std::map<std::string, std::string> proxy;
    std::vector<bool> chosen(p.enumeration.accepted.size(), false);
    for (auto index : p.order)
      chosen[index] = true;
    for (std::size_t i = 0; i < p.labels.size(); ++i) {
      auto found = stored.find(p.labels[i]);
      if (!chosen[i] || (found != stored.end() && !found->second.retryable &&
                         found->second.disposition == Disposition::skipped)) {
        ++summary.skipped; // outside the budget, or stored as skipped (early stop)
        continue;
      }
      if (found == stored.end() || !found->second.is_final()) {
        ++summary.missing;
        continue;
      }
      const auto& m = found->second;
      ++summary.resumed;
      if (m.disposition == Disposition::ok && m.median_us) {
        ok_times[p.labels[i]] = *m.median_us;
        proxy[p.labels[i]] = m.proxy_shape;
        ++summary.ok;
      } else {
        ++summary.failed;
      }
    }
    settle_leaders(p, ok_times, proxy, options_.shard.all(), summary);
    if (summary.missing > 0) {
      summary.note += fmt::format("{}{} chosen variants have no stored result (a shard not merged "
                                  "or not finished?): leaders are of the stored ones",
                                  summary.note.empty() ? "" : "; ", summary.missing);
    }
    summaries.push_back(summary);
  }
  return summaries;
}

} // namespace lutgemm::search
