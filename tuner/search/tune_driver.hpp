#pragma once
// The sweep: for each problem, enumerate the space, skip what the database already has (resume),
// evaluate the rest in the strategy's order, commit each result as it is made, re-measure the
// leaders within 3% interleaved, and report the best per problem. The leader step also runs alone
// (retest_leaders) over results other processes stored: shards after the merge, --devices workers.
#include "search/evaluator.hpp"
#include "search/shard.hpp"
#include "search/strategy.hpp"
#include "store/store.hpp"

#include <atomic>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace lutgemm::search {

struct TuneOptions {
  StrategyOptions strategy;
  double leader_window = 0.03; // re-measure leaders within 3% of the best
  int remeasure_rounds = 5;    // interleaved passes over the leaders
  std::size_t max_leaders = 8;
  // A claim (store::Store::claim) lasts this long: longer than any one variant takes (the variant
  // timeout plus the compile), so a live tuner never loses its claim; a dead one's expires.
  double claim_lease_s = 900;
  // How often a tuner waiting for variants that others have claimed looks again.
  double claim_poll_s = 0.05;
  // --shard I/N: only this shard's part of the (problem, variant) work the strategy chose
  // (search/shard.hpp); leaders are not re-measured inside a shard (after the merge instead).
  ShardSpec shard;
  // false: the sweep does not re-measure leaders because another step does it once the whole sweep
  // is stored (the parent of `tune --devices` workers, after they all ended).
  bool remeasure_leaders = true;
};

struct ProgressEvent {
  std::size_t done = 0, total = 0; // variants over all problems
  std::string problem;
  std::string variant;
  Disposition disposition = Disposition::skipped;
  std::optional<double> best_us; // best of the current problem so far
  std::string best_variant;
  double eta_s = 0;
  bool resumed = false;                     // taken from the database, not evaluated again
  TimeSource source = TimeSource::measured; // what best_us is
};

struct ProblemSummary {
  Problem problem;
  std::size_t total = 0; // points in the space
  std::size_t after_constraints = 0;
  std::size_t evaluated = 0; // evaluated in this run
  std::size_t resumed = 0;   // already in the database
  std::size_t ok = 0, failed = 0, skipped = 0;
  std::optional<std::string> best_variant;
  std::optional<double> best_us;
  std::optional<double> best_gbps, best_pct_peak;
  TimeSource source = TimeSource::measured;
  std::string proxy_shape;
  std::size_t leaders_remeasured = 0;
  std::vector<std::string> leaders; // labels within the leader window, the best first
  std::size_t missing = 0;          // retest_leaders: chosen variants with no stored result
  std::string note;                 // e.g. "modelled: leaders not re-measured"
};

namespace detail {
struct PlannedProblem; // one problem's enumerated space and evaluation order (tune_driver.cpp)
struct ProblemSweep;   // one problem's sweep under way: stored rows, results so far, early stop
struct SweepProgress;  // done/total over all problems, for the progress events
} // namespace detail

class TuneDriver {
public:
  TuneDriver(store::Store& store, Evaluator& evaluator, TuneOptions options, std::int64_t run_id,
             std::int64_t device_id)
      : store_(store), evaluator_(evaluator), options_(options), run_id_(run_id),
        device_id_(device_id) {}

  // Stops between variants once *stop becomes true (Ctrl-C): everything finished is stored.
  std::vector<ProblemSummary> run(const std::vector<Problem>& problems,
                                  const std::function<void(const ProgressEvent&)>& progress,
                                  const std::atomic<bool>* stop = nullptr);
  bool interrupted() const { return interrupted_; }

  // `tune --retest-leaders`: the leader step of run() over the results already stored for the same
  // command's work (by any run: the merged shards, the workers of --devices), as the unsharded
  // sweep would have done it after its last variant; nothing is evaluated again. Variants the
  // strategy chose that have no stored result are counted in `missing` and named in the note.
  // With options.shard, only that shard's part is summarised and its leaders are not re-measured.
  std::vector<ProblemSummary> retest_leaders(const std::vector<Problem>& problems);

private:
  // The steps of run(), in order (each says more in tune_driver.cpp).
  std::vector<detail::PlannedProblem> plan(const std::vector<Problem>& problems);
  std::size_t sweep_problem(const detail::PlannedProblem& p, detail::ProblemSweep& sweep,
                            detail::SweepProgress& counts, const std::atomic<bool>* stop);
  bool attempt(const detail::PlannedProblem& p, std::size_t index, detail::ProblemSweep& sweep,
               detail::SweepProgress& counts);
  void store_untried(const detail::PlannedProblem& p, std::size_t reached,
                     detail::ProblemSweep& sweep);
  store::MeasurementRecord row_for(const detail::PlannedProblem& p, std::int64_t variant_id) const;

  // The ok results a leader may come from: label, index into the space's accepted variants, time.
  struct LeaderCandidates {
    std::vector<std::string> labels;
    std::vector<std::size_t> indices;
    std::vector<double> times;
  };
  // Finds the leaders among `ok_times` (label -> sweep median), re-measures them interleaved when
  // `remeasure` and the times are measured, stores those rows and fills the summary's best.
  void settle_leaders(const detail::PlannedProblem& p,
                      const std::map<std::string, double>& ok_times,
                      const std::map<std::string, std::string>& proxy, bool remeasure,
                      ProblemSummary& summary);
  std::optional<std::size_t> remeasure_leaders(const detail::PlannedProblem& p,
                                               const LeaderCandidates& candidates,
                                               const std::vector<std::size_t>& lead);

  store::Store& store_;
  Evaluator& evaluator_;
  TuneOptions options_;
  std::int64_t run_id_;
  std::int64_t device_id_;
  bool interrupted_ = false;
  std::size_t claimed_elsewhere_ = 0;

public:
  // Variants that another tuner on the database evaluated while this one waited (this run).
  std::size_t claimed_elsewhere() const { return claimed_elsewhere_; }
};

} // namespace lutgemm::search
