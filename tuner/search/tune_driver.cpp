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
  std::size_t total = 0; // points in the space
  // The points the constraints accepted, each parsed once (space/kernel_variant.hpp): every later
  // step (shard, sweep, store, leaders) takes these, not the points' text.
  std::vector<space::KernelVariant> variants;
  std::vector<std::size_t> order;  // indices into variants
  std::vector<double> predictions; // the model's, per variant (model, budgeted random)
};

namespace {

// `row` (run, device, problem, variant) with the outcome's result.
store::MeasurementRecord to_record(const VariantOutcome& outcome, store::MeasurementRecord r) {
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
        cost = evaluator.predict_us(p.problem, p.variants[index]);
      cost_of[p.variants[index].label] += std::max(0.0, cost.value_or(0.0));
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
      if (shard_of_label.at(p.variants[index].label) == shard.index)
        mine.push_back(index);
    p.order = std::move(mine);
  }
}

// A problem's summary before any result: its space and what the constraints kept.
ProblemSummary summary_of(const Planned& p, TimeSource source) {
  ProblemSummary summary;
  summary.problem = p.problem;
  summary.total = p.total;
  summary.after_constraints = p.variants.size();
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
    const auto enumeration = enumerate(space, problem);
    p.total = enumeration.total;
    for (const auto& point : enumeration.accepted)
      p.variants.push_back(space::make_kernel_variant(space, point, problem));
    std::vector<double> predictions;
    // The model ranks; a budgeted random draw uses it to skip variants that cannot launch.
    const bool random_budget =
        options_.strategy.strategy == Strategy::random && options_.strategy.budget > 0;
    if (options_.strategy.strategy == Strategy::model || random_budget) {
      for (const auto& variant : p.variants)
        predictions.push_back(evaluator_.predict_us(problem, variant).value_or(0.0));
    }
    p.order = plan_order(p.variants.size(), predictions, options_.strategy);
    p.predictions = std::move(predictions);
    planned.push_back(std::move(p));
  }
  return planned;
}

// One problem's sweep under way: the database's rows for it when the sweep began, the tally of the
// results so far (the summary's counts, the ok times the leaders are chosen from) and the early
// stop watching them. Kept apart from the driver so that each step of run() reads and updates the
// same state without a web of captured locals.
struct detail::ProblemSweep {
  ProblemSweep(const PlannedProblem& p, TimeSource source, const StrategyOptions& strategy,
               std::map<std::string, store::StoredMeasurement> stored)
      : summary(summary_of(p, source)), existing(std::move(stored)), early(strategy) {}

  void note_result(const std::string& label, Disposition d, std::optional<double> time,
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
  }

  // The fastest ok result so far: label and time (no time when none is ok).
  std::pair<std::string, std::optional<double>> best() const {
    std::pair<std::string, std::optional<double>> b;
    for (const auto& [label, time] : ok_times)
      if (!b.second || time < *b.second)
        b = {label, time};
    return b;
  }

  ProblemSummary summary;
  std::map<std::string, store::StoredMeasurement> existing; // label -> row
  std::map<std::string, double> ok_times;                   // label -> median
  std::map<std::string, std::string> proxy;                 // label -> proxy shape
  EarlyStop early;
};

// Counts over the whole run (all problems), for the progress events' done/total and their ETA.
struct detail::SweepProgress {
  std::function<void(const ProgressEvent&)> callback;
  std::size_t total = 0, done = 0, evaluated = 0;
  double evaluated_seconds = 0;
};

// A measurement row of this run for one (problem, variant); the caller fills in the result.
store::MeasurementRecord TuneDriver::row_for(const Planned& p, std::int64_t variant_id) const {
  store::MeasurementRecord r;
  r.run_id = run_id_;
  r.device_id = device_id_;
  r.problem_id = p.problem_id;
  r.variant_id = variant_id;
  return r;
}

// The whole tune in four steps, each its own function: plan (enumerate, order, shard), sweep each
// problem (resume or claim and evaluate every variant in order), store what the early stop left,
// then settle the leaders (re-measure them interleaved, pick the winner).
std::vector<ProblemSummary>
TuneDriver::run(const std::vector<Problem>& problems,
                const std::function<void(const ProgressEvent&)>& progress,
                const std::atomic<bool>* stop) {
  auto planned = plan(problems);
  if (!options_.shard.all())
    keep_shard(planned, evaluator_, options_.shard);
  detail::SweepProgress counts{progress};
  for (const auto& p : planned)
    counts.total += p.order.size();

  std::vector<ProblemSummary> summaries;
  for (auto& p : planned) {
    detail::ProblemSweep sweep(p, evaluator_.source(), options_.strategy,
                               store_.existing(device_id_, p.problem_id, evaluator_.source()));
    const std::size_t reached = sweep_problem(p, sweep, counts, stop);
    if (interrupted_) {
      // What finished is stored; show the best of it (not re-measured: the sweep was cut short).
      if (auto [label, time] = sweep.best(); time) {
        sweep.summary.best_variant = label;
        sweep.summary.best_us = time;
        sweep.summary.proxy_shape = sweep.proxy[label];
        sweep.summary.note = "interrupted: best of the variants finished so far, not re-measured";
      }
      summaries.push_back(sweep.summary);
      break;
    }
    store_untried(p, reached, sweep);
    settle_leaders(p, sweep.ok_times, sweep.proxy,
                   options_.shard.all() && options_.remeasure_leaders, sweep.summary);
    summaries.push_back(sweep.summary);
  }
  return summaries;
}

// The sweep of one problem in the strategy's order until the early stop, the end, or *stop; then
// the variants other tuners held, polled until their results are stored (or a dead claimer's lease
// ends). Returns how far along p.order the first pass got (the rest was left by the early stop).
std::size_t TuneDriver::sweep_problem(const Planned& p, detail::ProblemSweep& sweep,
                                      detail::SweepProgress& counts,
                                      const std::atomic<bool>* stop) {
  auto stopped = [&] {
    if (stop != nullptr && stop->load())
      interrupted_ = true;
    return interrupted_;
  };
  std::size_t position = 0;
  std::vector<std::size_t> claimed_by_others; // indices to come back to
  for (; position < p.order.size(); ++position) {
    if (stopped())
      break;
    if (sweep.early.should_stop())
      break;
    if (!attempt(p, p.order[position], sweep, counts))
      claimed_by_others.push_back(p.order[position]);
  }
  while (!interrupted_ && !claimed_by_others.empty()) {
    std::vector<std::size_t> still;
    for (auto index : claimed_by_others) {
      if (stopped())
        break;
      if (!attempt(p, index, sweep, counts))
        still.push_back(index);
    }
    if (interrupted_)
      break;
    claimed_by_others = std::move(still);
    if (!claimed_by_others.empty())
      std::this_thread::sleep_for(std::chrono::duration<double>(options_.claim_poll_s));
  }
  return position;
}

// One variant: taken from the database when final there, else claimed (store::Store::claim) and
// evaluated, its row committed before the next variant starts. Returns false when another tuner on
// the database holds its claim.
bool TuneDriver::attempt(const Planned& p, std::size_t index, detail::ProblemSweep& sweep,
                         detail::SweepProgress& counts) {
  using Clock = std::chrono::steady_clock;
  const auto source = evaluator_.source();
  const auto& variant = p.variants[index];
  const auto& label = variant.label;
  ProgressEvent event;
  event.total = counts.total;
  event.problem = to_string(p.problem);
  event.source = source;
  event.variant = label;
  auto found = sweep.existing.find(label);
  std::optional<store::StoredMeasurement> stored;
  if (found != sweep.existing.end() && found->second.is_final())
    stored = found->second;
  std::int64_t variant_id = 0;
  if (!stored) {
    variant_id = store_.variant_id(evaluator_.family(), label, variant.point.params_json());
    auto claim =
        store_.claim(device_id_, p.problem_id, variant_id, run_id_, source, options_.claim_lease_s);
    if (claim == store::Store::Claim::busy)
      return false;
    if (claim == store::Store::Claim::done) { // another tuner finished it meanwhile
      sweep.existing = store_.existing(device_id_, p.problem_id, source);
      stored = sweep.existing.at(label);
      ++claimed_elsewhere_;
    }
  }
  if (stored) {
    sweep.note_result(label, stored->disposition, stored->median_us, stored->proxy_shape);
    ++sweep.summary.resumed;
    event.resumed = true;
    event.disposition = stored->disposition;
  } else {
    auto started = Clock::now();
    auto outcome = evaluator_.evaluate(p.problem, variant);
    counts.evaluated_seconds += std::chrono::duration<double>(Clock::now() - started).count();
    ++counts.evaluated;
    auto record = to_record(outcome, row_for(p, variant_id));
    store_.record(record); // committed before the next variant starts
    store_.release_claim(device_id_, p.problem_id, variant_id);
    sweep.note_result(label, outcome.disposition,
                      outcome.time_us ? std::optional<double>(outcome.time_us->median)
                                      : std::nullopt,
                      outcome.proxy_shape);
    ++sweep.summary.evaluated;
    event.disposition = outcome.disposition;
  }
  ++counts.done;
  event.done = counts.done;
  auto [best_label, best_time] = sweep.best();
  event.best_us = best_time;
  event.best_variant = best_label;
  double per_variant = counts.evaluated ? counts.evaluated_seconds / counts.evaluated : 0.0;
  event.eta_s = per_variant * static_cast<double>(counts.total - counts.done);
  if (counts.callback)
    counts.callback(event);
  return true;
}

// What the early stop left (p.order from `reached` on) is stored as skipped, with the reason, so a
// resumed run does not try it again. What lies outside a random or model budget is only counted: a
// row per untried variant was 10k-35k rows per problem.
void TuneDriver::store_untried(const Planned& p, std::size_t reached, detail::ProblemSweep& sweep) {
  const std::string skip_reason =
      reached < p.order.size()
          ? fmt::format("early stop: {} variants in a row did not beat the best",
                        options_.strategy.patience)
          : std::string();
  std::vector<bool> attempted(p.variants.size(), false);
  std::vector<bool> in_order(p.variants.size(), false); // not reached: early stop
  for (std::size_t i = 0; i < reached; ++i)
    attempted[p.order[i]] = true;
  for (std::size_t j = reached; j < p.order.size(); ++j)
    in_order[p.order[j]] = true;
  for (std::size_t i = 0; i < p.variants.size(); ++i) {
    if (attempted[i])
      continue;
    if (!in_order[i]) {
      ++sweep.summary.skipped; // outside the budget: counted, not stored
      continue;
    }
    const auto& label = p.variants[i].label;
    if (auto it = sweep.existing.find(label); it != sweep.existing.end() && it->second.is_final())
      continue;
    auto r = row_for(
        p, store_.variant_id(evaluator_.family(), label, p.variants[i].point.params_json()));
    r.disposition = Disposition::skipped;
    r.source = evaluator_.source();
    r.message = skip_reason;
    store_.record(r);
    ++sweep.summary.skipped;
  }
}

// The leaders of one problem and its winner: the ok results within the leader window of the best
// (at most max_leaders); on measured times, when `remeasure`, re-measured interleaved
// (remeasure_leaders) and the winner picked from those samples, else the best sweep time wins.
void TuneDriver::settle_leaders(const Planned& p, const std::map<std::string, double>& ok_times,
                                const std::map<std::string, std::string>& proxy, bool remeasure,
                                ProblemSummary& summary) {
  const auto source = evaluator_.source();
  std::map<std::string, std::size_t> by_label;
  for (std::size_t i = 0; i < p.variants.size(); ++i)
    by_label[p.variants[i].label] = i;
  LeaderCandidates candidates;
  for (const auto& [label, time] : ok_times) {
    if (!by_label.count(label))
      continue; // stored by an older space that no longer has it
    candidates.labels.push_back(label);
    candidates.indices.push_back(by_label.at(label));
    candidates.times.push_back(time);
  }
  auto lead = measure::leaders(candidates.times, options_.leader_window);
  if (lead.size() > options_.max_leaders)
    lead.resize(options_.max_leaders);
  for (auto index : lead)
    summary.leaders.push_back(candidates.labels[index]);
  std::optional<std::size_t> winner = lead.empty() ? std::nullopt : std::optional(lead.front());
  if (lead.size() > 1 && source == TimeSource::measured && remeasure) {
    if (auto remeasured = remeasure_leaders(p, candidates, lead)) {
      winner = remeasured;
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
    const auto& label = candidates.labels[*winner];
    summary.best_variant = label;
    summary.best_us = candidates.times[*winner];
    if (auto it = proxy.find(label); it != proxy.end())
      summary.proxy_shape = it->second;
    auto stored = store_.existing(device_id_, p.problem_id, source);
    if (auto it = stored.find(label); it != stored.end()) {
      summary.best_gbps = it->second.gbps;
      summary.best_pct_peak = it->second.pct_dram_peak;
    }
  }
}

// Re-measures the leaders (indices into `candidates`) interleaved, so that drift of the clocks or
// of the machine falls on all of them alike, stores each one's samples as a "remeasure" row, and
// returns the winner of those samples; nullopt (nothing stored) when any leader got no sample.
std::optional<std::size_t> TuneDriver::remeasure_leaders(const Planned& p,
                                                         const LeaderCandidates& candidates,
                                                         const std::vector<std::size_t>& lead) {
  auto variant_of = [&](std::size_t leader) -> const space::KernelVariant& {
    return p.variants[candidates.indices[lead[leader]]];
  };
  std::vector<std::vector<double>> samples(lead.size());
  for (auto index : measure::interleaved_schedule(lead.size(), options_.remeasure_rounds)) {
    auto batch = evaluator_.remeasure(p.problem, variant_of(index));
    samples[index].insert(samples[index].end(), batch.begin(), batch.end());
  }
  if (!std::all_of(samples.begin(), samples.end(), [](const auto& s) { return !s.empty(); }))
    return std::nullopt;
  for (std::size_t i = 0; i < lead.size(); ++i) {
    auto s = measure::summarize(samples[i]);
    auto r = row_for(p, store_.variant_id(evaluator_.family(), candidates.labels[lead[i]],
                                          variant_of(i).point.params_json()));
    r.phase = "remeasure";
    r.disposition = Disposition::ok;
    r.source = evaluator_.source();
    r.median_us = s.median;
    r.iqr_us = s.iqr;
    r.min_us = s.min;
    r.noise_pct = s.noise_pct();
    r.samples = s.samples;
    r.message = fmt::format("leader re-measured interleaved with {} others", lead.size() - 1);
    store_.record(r);
  }
  return lead[measure::pick_winner(samples)];
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
    std::vector<bool> chosen(p.variants.size(), false);
    for (auto index : p.order)
      chosen[index] = true;
    for (std::size_t i = 0; i < p.variants.size(); ++i) {
      auto found = stored.find(p.variants[i].label);
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
        ok_times[p.variants[i].label] = *m.median_us;
        proxy[p.variants[i].label] = m.proxy_shape;
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
