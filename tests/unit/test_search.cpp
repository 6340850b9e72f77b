// Strategies and the tune driver with a fake evaluator: every variant ends with a stored
// disposition, resume evaluates nothing twice, budgets and early stop hold, leaders are
// re-measured.
#include "common/error.hpp"
#include "search/strategy.hpp"
#include "search/tune_driver.hpp"
#include "store/store.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <random>
#include <set>
#include <thread>

using namespace lutgemm;
using namespace lutgemm::search;
namespace fs = std::filesystem;

namespace {

fs::path temp_db() {
  auto dir = fs::temp_directory_path() / ("lutgemm_test_search_" + std::to_string(getpid()));
  fs::create_directories(dir);
  auto path =
      dir / (std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) + ".db");
  fs::remove(path);
  return path;
}

// A toy family: 6 x 4 x 2 = 48 points, the constraint drops a quarter. "True" times are random per
// variant; a few variants fail verification.
class FakeEvaluator : public Evaluator {
public:
  explicit FakeEvaluator(TimeSource source, std::uint32_t seed = 9) : source_(source), rng_(seed) {}
  std::string family() const override { return "toy"; }
  TimeSource source() const override { return source_; }
  space::SearchSpace space(const Problem&) override {
    space::SearchSpace s;
    s.family = "toy";
    s.add_parameter("rows", {std::int64_t{32}, std::int64_t{64}, std::int64_t{128},
                             std::int64_t{256}, std::int64_t{512}, std::int64_t{1024}})
        .add_parameter("threads",
                       {std::int64_t{64}, std::int64_t{128}, std::int64_t{256}, std::int64_t{512}})
        .add_parameter("mu", {std::int64_t{4}, std::int64_t{8}})
        .add_constraint("rows_ge_threads_div4",
                        [](const space::Variant& v, const Problem&) -> std::optional<std::string> {
                          if (v.get_int("rows") * 4 < v.get_int("threads"))
                            return "too few rows for the threads";
                          return std::nullopt;
                        });
    return s;
  }
  double true_time(const std::string& label) {
    auto it = truth.find(label);
    if (it == truth.end())
      it = truth.emplace(label, std::uniform_real_distribution<double>(50.0, 500.0)(rng_)).first;
    return it->second;
  }
  std::optional<double> predict_us(const Problem&, const space::KernelVariant& v) override {
    return true_time(v.label);
  }
  VariantOutcome evaluate(const Problem&, const space::KernelVariant& v) override {
    auto label = v.label;
    ++calls[label];
    VariantOutcome out;
    out.source = source_;
    if (auto f = failures.find(label); f != failures.end()) {
      out.disposition = Disposition::launch_error;
      out.message = f->second ? "killed by signal 9 (retryable)" : "out of bounds";
      out.retryable = f->second;
      return out;
    }
    if (v.point.get_int("rows") == 64 && v.point.get_int("mu") == 4) {
      out.disposition = Disposition::wrong_result;
      out.message = "max error 3.5 > tolerance 0.1";
      return out;
    }
    if (evaluate_delay.count() > 0)
      std::this_thread::sleep_for(evaluate_delay); // so that concurrent tuners overlap
    double t = sweep_override.count(label) ? sweep_override[label] : true_time(label);
    out.disposition = Disposition::ok;
    out.time_us = measure::summarize({t, t * 1.001, t * 0.999, t, t, t, t, t, t, t});
    out.gbps = 1000.0 / t;
    return out;
  }
  std::vector<double> remeasure(const Problem&, const space::KernelVariant& v) override {
    ++remeasured[v.label];
    double t = true_time(v.label);
    return {t, t * 1.0005, t * 0.9995};
  }

  std::map<std::string, double> truth;
  std::map<std::string, double> sweep_override;
  std::map<std::string, int> calls;
  std::map<std::string, bool> failures; // label -> fails with launch_error (true: retryable)
  std::chrono::milliseconds evaluate_delay{0};
  std::map<std::string, int> remeasured;

private:
  TimeSource source_;
  std::mt19937 rng_;
};

struct Fixture {
  store::Store store;
  std::int64_t device = 0, run = 0;
  explicit Fixture(const fs::path& path) : store(store::Store::open(path.string())) {
    device = store.device_id({.key = "model:test",
                              .name = "test",
                              .backend = "emu",
                              .arch = "sm_80",
                              .sm_count = 1,
                              .dram_gbps = 1.0,
                              .l2_bytes = 1});
    new_run();
  }
  void new_run() {
    store::RunInfo info;
    info.command_line = "test";
    info.backend = "emu";
    info.device_id = device;
    run = store.begin_run(info);
  }
};

const Problem kProblem{.m = 1024, .k = 2048, .batch = 1, .bits = 3, .group = 128};

} // namespace

TEST(Strategy, NamesRoundTripAndUnknownIsUsageError) {
  for (auto s : {Strategy::exhaustive, Strategy::random, Strategy::model})
    EXPECT_EQ(strategy_from_string(to_string(s)), s);
  EXPECT_THROW(strategy_from_string("greedy"), UsageError);
}

TEST(Strategy, RandomIsASeededPermutationWithinBudget) {
  StrategyOptions options{.strategy = Strategy::random, .budget = 10, .seed = 77};
  auto a = plan_order(40, {}, options);
  auto b = plan_order(40, {}, options);
  EXPECT_EQ(a, b);
  EXPECT_EQ(a.size(), 10u);
  EXPECT_EQ(std::set<std::size_t>(a.begin(), a.end()).size(), 10u);
  options.seed = 78;
  EXPECT_NE(plan_order(40, {}, options), a);
  options.budget = 0;
  auto all = plan_order(40, {}, options);
  EXPECT_EQ(std::set<std::size_t>(all.begin(), all.end()).size(), 40u);
}

TEST(Strategy, ABudgetedRandomDrawSkipsVariantsTheModelCannotLaunch) {
  std::vector<double> predicted(40, 5.0);
  for (std::size_t i = 0; i < 40; i += 2)
    predicted[i] = 0.0; // half of them cannot launch
  StrategyOptions options{.strategy = Strategy::random, .budget = 12, .seed = 77};
  const auto order = plan_order(40, predicted, options);
  ASSERT_EQ(order.size(), 12u);
  for (auto i : order)
    EXPECT_GT(predicted[i], 0.0) << i;
  // Still a random draw: not the first launchable indices in order.
  EXPECT_NE(order, (std::vector<std::size_t>{1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23}));
}

TEST(Strategy, ModelOrdersByPredictionUnknownLast) {
  auto order = plan_order(5, {3.0, -1.0, 1.0, 2.0, 0.0}, {.strategy = Strategy::model});
  EXPECT_EQ(order, (std::vector<std::size_t>{2, 3, 0, 1, 4}));
}

TEST(TuneDriver, ExhaustiveStoresEveryVariantAndFindsTheBest) {
  Fixture f(temp_db());
  FakeEvaluator evaluator(TimeSource::modelled);
  TuneDriver driver(f.store, evaluator, {}, f.run, f.device);
  std::size_t events = 0;
  auto summaries = driver.run({kProblem}, [&](const ProgressEvent& e) {
    ++events;
    EXPECT_LE(e.done, e.total);
  });
  ASSERT_EQ(summaries.size(), 1u);
  const auto& s = summaries[0];
  EXPECT_EQ(s.total, 48u);
  EXPECT_EQ(s.after_constraints, events);
  EXPECT_EQ(s.evaluated, s.after_constraints);
  EXPECT_EQ(s.failed, 3u); // rows=64, mu=4 with threads 64, 128 and 256
  std::string best_label;
  double best = 1e30;
  for (const auto& [label, count] : evaluator.calls) {
    EXPECT_EQ(count, 1) << label;
    auto v = space::Variant::from_label(label);
    if (!(v.get_int("rows") == 64 && v.get_int("mu") == 4) && evaluator.truth[label] < best) {
      best = evaluator.truth[label];
      best_label = label;
    }
  }
  ASSERT_TRUE(s.best_variant.has_value());
  EXPECT_EQ(*s.best_variant, best_label);
  EXPECT_NEAR(*s.best_us, best, 1e-9);
  EXPECT_EQ(f.store.run_measurements(f.run).size(), s.after_constraints);
  EXPECT_TRUE(evaluator.remeasured.empty()) << "modelled times are never re-measured";
}

TEST(TuneDriver, InterruptedRunResumesWithoutReevaluating) {
  auto path = temp_db();
  FakeEvaluator evaluator(TimeSource::modelled);
  std::size_t first_count = 0;
  {
    Fixture f(path);
    std::atomic<bool> stop{false};
    TuneDriver driver(f.store, evaluator, {}, f.run, f.device);
    driver.run(
        {kProblem},
        [&](const ProgressEvent& e) {
          if (e.done == 13)
            stop = true;
        },
        &stop);
    EXPECT_TRUE(driver.interrupted());
    first_count = f.store.run_measurements(f.run).size();
    EXPECT_EQ(first_count, 13u);
  }
  Fixture f(path);
  f.new_run();
  TuneDriver driver(f.store, evaluator, {}, f.run, f.device);
  auto summaries = driver.run({kProblem}, {});
  EXPECT_EQ(summaries[0].resumed, 13u);
  EXPECT_EQ(summaries[0].resumed + summaries[0].evaluated, summaries[0].after_constraints);
  for (const auto& [label, count] : evaluator.calls)
    EXPECT_EQ(count, 1) << label << " was evaluated twice";
  auto all = f.store.existing(f.device, f.store.problem_id(kProblem), TimeSource::modelled);
  EXPECT_EQ(all.size(), summaries[0].after_constraints);
}

TEST(TuneDriver, ResumeEvaluatesRetryableFailuresAgainButNotTheVariantsOwn) {
  auto path = temp_db();
  FakeEvaluator evaluator(TimeSource::modelled);
  // First run: two variants fail for reasons outside them (a killed child), one fails on its own.
  const std::string killed_a = "rows=128,threads=64,mu=4", killed_b = "rows=256,threads=128,mu=8";
  const std::string own = "rows=512,threads=64,mu=4";
  evaluator.failures[killed_a] = evaluator.failures[killed_b] = true;
  evaluator.failures[own] = false;
  std::size_t variants = 0;
  {
    Fixture f(path);
    TuneDriver driver(f.store, evaluator, {}, f.run, f.device);
    variants = driver.run({kProblem}, {})[0].after_constraints;
  }
  ASSERT_EQ(evaluator.calls[killed_a], 1);
  evaluator.failures.clear();
  Fixture f(path);
  f.new_run();
  TuneDriver driver(f.store, evaluator, {}, f.run, f.device);
  auto summary = driver.run({kProblem}, {})[0];
  EXPECT_EQ(summary.evaluated, 2u);
  EXPECT_EQ(summary.resumed, variants - 2);
  EXPECT_EQ(evaluator.calls[killed_a], 2);
  EXPECT_EQ(evaluator.calls[killed_b], 2);
  EXPECT_EQ(evaluator.calls[own], 1) << "a variant's own failure is final";
  auto now = f.store.existing(f.device, f.store.problem_id(kProblem), TimeSource::modelled);
  EXPECT_EQ(now.at(killed_a).disposition, Disposition::ok);
  EXPECT_FALSE(now.at(killed_a).retryable);
  EXPECT_EQ(now.at(own).disposition, Disposition::launch_error);
}

TEST(TuneDriver, RandomBudgetEvaluatesOnlyTheBudgetAndCountsTheRestAsSkipped) {
  Fixture f(temp_db());
  FakeEvaluator evaluator(TimeSource::modelled);
  TuneOptions options;
  options.strategy = {.strategy = Strategy::random, .budget = 7, .seed = 3};
  TuneDriver driver(f.store, evaluator, options, f.run, f.device);
  auto s = driver.run({kProblem}, {})[0];
  EXPECT_EQ(s.evaluated, 7u);
  EXPECT_EQ(evaluator.calls.size(), 7u);
  EXPECT_EQ(s.skipped, s.after_constraints - 7);
  // Only what was tried is stored: a row per untried variant was 10k-35k rows per problem.
  auto rows = f.store.run_measurements(f.run);
  EXPECT_EQ(rows.size(), 7u);
  for (const auto& r : rows)
    EXPECT_NE(r.disposition, Disposition::skipped) << r.variant_label;
}

TEST(TuneDriver, ModelStrategyStopsEarlyAndFindsTheBest) {
  Fixture f(temp_db());
  FakeEvaluator evaluator(TimeSource::modelled);
  TuneOptions options;
  options.strategy = {.strategy = Strategy::model, .patience = 4};
  TuneDriver driver(f.store, evaluator, options, f.run, f.device);
  auto s = driver.run({kProblem}, {})[0];
  // Perfect predictions: the first ok variant is the best; 4 more without improvement, then stop.
  EXPECT_LE(s.evaluated, 4u + 1u + 2u); // +2: the failing variants may come first
  EXPECT_GT(s.skipped, 0u);
  double best = 1e30;
  for (const auto& [label, t] : evaluator.truth) {
    auto v = space::Variant::from_label(label);
    if (!(v.get_int("rows") == 64 && v.get_int("mu") == 4) &&
        v.get_int("rows") * 4 >= v.get_int("threads"))
      best = std::min(best, t);
  }
  EXPECT_NEAR(*s.best_us, best, 1e-9);
}

TEST(TuneDriver, LeadersAreRemeasuredSoALuckySweepDoesNotWin) {
  Fixture f(temp_db());
  FakeEvaluator evaluator(TimeSource::measured);
  // Two variants: truly 100 and 101 us; the slower one was lucky in the sweep (99 us).
  evaluator.truth["rows=32,threads=64,mu=4"] = 101.0;
  evaluator.sweep_override["rows=32,threads=64,mu=4"] = 99.0;
  evaluator.truth["rows=32,threads=64,mu=8"] = 100.0;
  for (const auto& v : enumerate(evaluator.space(kProblem), kProblem).accepted)
    if (!evaluator.truth.count(v.label()))
      evaluator.truth[v.label()] = 300.0 + static_cast<double>(evaluator.truth.size());
  TuneDriver driver(f.store, evaluator, {}, f.run, f.device);
  auto s = driver.run({kProblem}, {})[0];
  EXPECT_EQ(s.leaders_remeasured, 2u);
  EXPECT_EQ(*s.best_variant, "rows=32,threads=64,mu=8");
  EXPECT_EQ(evaluator.remeasured["rows=32,threads=64,mu=8"], 5);
  std::size_t remeasure_rows = 0;
  for (const auto& r : f.store.run_measurements(f.run))
    remeasure_rows += r.phase == "remeasure";
  EXPECT_EQ(remeasure_rows, 2u);
}

TEST(TuneDriver, FourTunersOnOneDatabaseEvaluateEachVariantOnce) {
  // Four processes tune the same problem on one database at once; claims share the work.
  auto path = temp_db();
  std::size_t variants = 0;
  {
    Fixture f(path); // creates the schema and the device before the tuners start
    FakeEvaluator probe(TimeSource::modelled);
    variants = enumerate(probe.space(kProblem), kProblem).accepted.size();
  }
  constexpr int kTuners = 4;
  int pipe_fd[2];
  ASSERT_EQ(pipe(pipe_fd), 0);
  std::vector<pid_t> children;
  for (int t = 0; t < kTuners; ++t) {
    pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      close(pipe_fd[0]);
      int evaluations = -1;
      try {
        Fixture f(path);
        FakeEvaluator evaluator(TimeSource::modelled);
        evaluator.evaluate_delay = std::chrono::milliseconds(2);
        TuneDriver driver(f.store, evaluator, {}, f.run, f.device);
        auto summary = driver.run({kProblem}, {})[0];
        evaluations = static_cast<int>(summary.evaluated);
        if (summary.evaluated + summary.resumed != summary.after_constraints)
          evaluations = -1000;
      } catch (...) {
      }
      if (write(pipe_fd[1], &evaluations, sizeof evaluations) != sizeof evaluations)
        _exit(2);
      _exit(0);
    }
    children.push_back(child);
  }
  close(pipe_fd[1]);
  int total = 0, value = 0, reports = 0;
  while (read(pipe_fd[0], &value, sizeof value) == sizeof value) {
    EXPECT_GE(value, 0) << "a tuner failed or left variants without a result";
    total += value;
    ++reports;
  }
  close(pipe_fd[0]);
  for (auto child : children)
    waitpid(child, nullptr, 0);
  EXPECT_EQ(reports, kTuners);
  EXPECT_EQ(total, static_cast<int>(variants)) << "each variant evaluated once over all tuners";
  Fixture f(path);
  store::Statement rows(f.store.database(),
                        "SELECT count(*), count(DISTINCT variant_id) FROM measurements WHERE "
                        "phase = 'sweep'");
  ASSERT_TRUE(rows.step());
  EXPECT_EQ(rows.column_int(0), static_cast<std::int64_t>(variants)) << "no duplicate rows";
  EXPECT_EQ(rows.column_int(1), static_cast<std::int64_t>(variants));
  store::Statement claims(f.store.database(), "SELECT count(*) FROM claims");
  ASSERT_TRUE(claims.step());
  EXPECT_EQ(claims.column_int(0), 0) << "every claim released";
}

TEST(TuneDriver, ClaimsOfADeadOrExpiredClaimerAreTakenOverALiveOneIsNot) {
  auto path = temp_db();
  Fixture f(path);
  const auto problem = f.store.problem_id(kProblem);
  const auto a = f.store.variant_id("toy", "a", "{}"), b = f.store.variant_id("toy", "b", "{}"),
             c = f.store.variant_id("toy", "c", "{}");
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0)
    _exit(0);
  waitpid(child, nullptr, 0); // a pid of no running process
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  auto insert = [&](std::int64_t variant, const std::string& claimer, std::int64_t pid,
                    const std::string& lease) {
    store::Statement s(f.store.database(),
                       "INSERT INTO claims VALUES (?1, ?2, ?3, ?4, ?5, ?6, strftime('%Y-%m-%dT%H:"
                       "%M:%fZ', 'now', ?7))");
    s.bind(1, f.device).bind(2, problem).bind(3, variant).bind(4, f.run).bind(5, claimer);
    s.bind(6, pid).bind(7, lease);
    s.run();
  };
  insert(a, host, child, "+1 hours");      // dead claimer on this host
  insert(b, "elsewhere", 1, "-1 seconds"); // another host, lease expired
  insert(c, "elsewhere", 1, "+1 hours");   // another host, lease live
  using Claim = store::Store::Claim;
  EXPECT_EQ(f.store.claim(f.device, problem, a, f.run, TimeSource::modelled, 60), Claim::claimed);
  EXPECT_EQ(f.store.claim(f.device, problem, b, f.run, TimeSource::modelled, 60), Claim::claimed);
  EXPECT_EQ(f.store.claim(f.device, problem, c, f.run, TimeSource::modelled, 60), Claim::busy);
  store::MeasurementRecord r;
  r.run_id = f.run;
  r.device_id = f.device;
  r.problem_id = problem;
  r.variant_id = a;
  r.disposition = Disposition::wrong_result;
  r.source = TimeSource::modelled;
  f.store.record(r);
  f.store.release_claim(f.device, problem, a);
  EXPECT_EQ(f.store.claim(f.device, problem, a, f.run, TimeSource::modelled, 60), Claim::done);
}
