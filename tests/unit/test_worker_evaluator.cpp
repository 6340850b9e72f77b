// Fault isolation of the tune: outcomes cross the worker pipe intact (JSON round trip); a worker
// that dies on a variant gives launch_error, one that hangs gives timeout, and the next variant is
// served by a restarted worker. Fake workers are small shell scripts; the real `lutgemm worker`
// round trip is in tests/emu/test_tune_e2e.cpp.
#include "search/worker_evaluator.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <random>

using namespace lutgemm;
using namespace lutgemm::search;
using namespace std::chrono_literals;

namespace {

class LocalFake final : public Evaluator {
public:
  std::string family() const override { return "fake"; }
  TimeSource source() const override { return TimeSource::measured; }
  space::SearchSpace space(const Problem&) override { return {}; }
  VariantOutcome evaluate(const Problem&, const space::KernelVariant&) override { return {}; }
};

const Problem kProblem{.m = 4096, .k = 1024, .batch = 2, .bits = 4, .group = 64};
const space::Variant kPoint({{"mu", std::int64_t{8}}, {"accum", std::string("f32")}});
// A variant of no kernel family (family "fake"): only the point and its label.
const space::KernelVariant kVariant{kPoint, kPoint.label(), {}};

VariantOutcome sample_outcome() {
  std::mt19937 rng(5);
  std::uniform_real_distribution<double> d(1.0, 100.0);
  VariantOutcome o;
  o.disposition = Disposition::ok;
  o.message = "verified \"at\" the real shape\nsecond line";
  o.source = TimeSource::measured;
  measure::Summary s;
  s.samples = 17;
  s.median = d(rng);
  s.q1 = s.median - 1;
  s.q3 = s.median + 1;
  s.iqr = 2;
  s.min = s.q1 - 0.5;
  s.max = s.q3 + 3;
  s.mean = s.median + 0.25;
  s.stddev = 0.75;
  s.rel_stderr = 0.002;
  o.time_us = s;
  o.gbps = d(rng) * 10;
  o.pct_dram_peak = d(rng) / 2;
  o.max_error = 1e-3;
  o.resources = space::ResourceUsage{40, 16, 8192, 256, 0, 4, 24};
  o.proxy_shape = "532x512";
  o.clocks = "1980 MHz";
  return o;
}

std::string script(const std::string& body) {
  auto path = std::filesystem::temp_directory_path() /
              ("fake_worker_" + std::to_string(std::random_device{}()) + ".sh");
  std::FILE* f = std::fopen(path.c_str(), "w");
  std::fprintf(f, "#!/bin/sh\n%s\n", body.c_str());
  std::fclose(f);
  std::filesystem::permissions(path, std::filesystem::perms::owner_all);
  return path.string();
}

} // namespace

TEST(WorkerEvaluator, OutcomeAndProblemRoundTripThroughJson) {
  const auto o = sample_outcome();
  const auto back = outcome_from_json(nlohmann::json::parse(to_json(o).dump()));
  EXPECT_EQ(back.disposition, o.disposition);
  EXPECT_EQ(back.message, o.message);
  EXPECT_EQ(back.source, o.source);
  ASSERT_TRUE(back.time_us);
  EXPECT_DOUBLE_EQ(back.time_us->median, o.time_us->median);
  EXPECT_DOUBLE_EQ(back.time_us->rel_stderr, o.time_us->rel_stderr);
  EXPECT_EQ(back.time_us->samples, 17);
  EXPECT_EQ(back.gbps, o.gbps);
  EXPECT_EQ(back.pct_dram_peak, o.pct_dram_peak);
  ASSERT_TRUE(back.resources);
  EXPECT_EQ(back.resources->dynamic_smem, 8192);
  EXPECT_EQ(back.resources->spill_loads, 4);
  EXPECT_EQ(back.proxy_shape, "532x512");
  EXPECT_EQ(back.clocks, "1980 MHz");
  EXPECT_EQ(problem_from_json(problem_to_json(kProblem)), kProblem);

  VariantOutcome failed;
  failed.disposition = Disposition::wrong_result;
  failed.source = TimeSource::modelled;
  auto f = outcome_from_json(to_json(failed));
  EXPECT_EQ(f.disposition, Disposition::wrong_result);
  EXPECT_EQ(f.source, TimeSource::modelled);
  EXPECT_FALSE(f.time_us);
  EXPECT_FALSE(f.gbps);
}

TEST(WorkerEvaluator, ServesRequestsLikeTheWorkerCommand) {
  class Echo final : public Evaluator {
  public:
    std::string family() const override { return "echo"; }
    TimeSource source() const override { return TimeSource::measured; }
    space::SearchSpace space(const Problem&) override { return {}; }
    VariantOutcome evaluate(const Problem& p, const space::KernelVariant& v) override {
      VariantOutcome o;
      o.disposition = Disposition::ok;
      o.message = to_string(p) + " " + v.label;
      return o;
    }
  } echo;
  nlohmann::json request{
      {"op", "evaluate"}, {"problem", problem_to_json(kProblem)}, {"variant", kPoint.label()}};
  auto reply = nlohmann::json::parse(serve_worker_request(echo, request.dump()));
  auto o = outcome_from_json(reply.at("outcome"));
  EXPECT_EQ(o.message, to_string(kProblem) + " mu=8,accum=f32");
  auto bad = nlohmann::json::parse(serve_worker_request(echo, "{not json"));
  EXPECT_TRUE(bad.contains("error"));
}

TEST(WorkerEvaluator, CrashIsLaunchErrorAndTheNextVariantGetsAFreshWorker) {
  // The first worker dies on its first request (SIGSEGV); later ones answer.
  const auto marker = std::filesystem::temp_directory_path() /
                      ("fake_worker_marker_" + std::to_string(std::random_device{}()));
  const std::string reply = to_json(sample_outcome()).dump();
  const auto path =
      script("read line\nif [ ! -e '" + marker.string() + "' ]; then touch '" + marker.string() +
             "'; kill -SEGV $$; fi\nprintf '%s\\n' '{\"outcome\": " + reply +
             "}'\nwhile read line; do printf '%s\\n' '{\"outcome\": " + reply + "}'; done");
  LocalFake local;
  WorkerEvaluator evaluator(local, {path}, 10s);
  auto crashed = evaluator.evaluate(kProblem, kVariant);
  EXPECT_EQ(crashed.disposition, Disposition::launch_error);
  EXPECT_NE(crashed.message.find("signal 11"), std::string::npos) << crashed.message;
  EXPECT_FALSE(crashed.retryable) << "its own crash is final";
  auto next = evaluator.evaluate(kProblem, kVariant);
  EXPECT_EQ(next.disposition, Disposition::ok) << next.message;
  ASSERT_TRUE(next.time_us);
  EXPECT_DOUBLE_EQ(next.time_us->median, sample_outcome().time_us->median);
  EXPECT_EQ(evaluator.restarts(), 1);
  std::filesystem::remove(path);
  std::filesystem::remove(marker);
}

TEST(WorkerEvaluator, StickyFaultRestartsTheWorkerAndTheNextVariantIsOk) {
  // A worker whose context faulted answers its variant with "restart": true. The fake then keeps
  // answering what a poisoned process answers (launch_error); only a new process answers ok.
  const auto marker = std::filesystem::temp_directory_path() /
                      ("fake_worker_marker_" + std::to_string(std::random_device{}()));
  VariantOutcome faulted;
  faulted.disposition = Disposition::launch_error;
  faulted.message = "CUDA_ERROR_ILLEGAL_ADDRESS";
  VariantOutcome poisoned = faulted;
  poisoned.message = "not run: the CUDA context faulted earlier in this process (retryable)";
  poisoned.retryable = true;
  const std::string ok = to_json(sample_outcome()).dump();
  const std::string first = nlohmann::json{{"outcome", to_json(faulted)}, {"restart", true}}.dump();
  const std::string later = nlohmann::json{{"outcome", to_json(poisoned)}}.dump();
  const auto path = script(
      "if [ ! -e '" + marker.string() + "' ]; then touch '" + marker.string() +
      "'; read line; printf '%s\\n' '" + first + "'; while read line; do printf '%s\\n' '" + later +
      "'; done; fi\nwhile read line; do printf '%s\\n' '{\"outcome\": " + ok + "}'; done");
  LocalFake local;
  WorkerEvaluator evaluator(local, {path}, 10s);
  auto first_outcome = evaluator.evaluate(kProblem, kVariant);
  EXPECT_EQ(first_outcome.disposition, Disposition::launch_error);
  EXPECT_FALSE(first_outcome.retryable); // the faulting variant's own failure
  auto next = evaluator.evaluate(kProblem, kVariant);
  EXPECT_EQ(next.disposition, Disposition::ok) << next.message;
  EXPECT_EQ(evaluator.restarts(), 1);
  std::filesystem::remove(path);
  std::filesystem::remove(marker);
}

TEST(WorkerEvaluator, RetryableCrossesThePipe) {
  VariantOutcome o;
  o.disposition = Disposition::launch_error;
  o.retryable = true;
  EXPECT_TRUE(outcome_from_json(to_json(o)).retryable);
  o.retryable = false;
  EXPECT_FALSE(outcome_from_json(to_json(o)).retryable);
}

TEST(WorkerEvaluator, WorkerKilledFromOutsideIsRetryable) {
  // The worker is SIGKILLed while it evaluates (as the OOM killer or a user would): the failure
  // says nothing about the variant, so it is stored retryable and the next worker answers.
  const auto marker = std::filesystem::temp_directory_path() /
                      ("fake_worker_marker_" + std::to_string(std::random_device{}()));
  const std::string reply = to_json(sample_outcome()).dump();
  const auto path =
      script("read line\nif [ ! -e '" + marker.string() + "' ]; then touch '" + marker.string() +
             "'; kill -KILL $$; fi\nprintf '%s\\n' '{\"outcome\": " + reply +
             "}'\nwhile read line; do printf '%s\\n' '{\"outcome\": " + reply + "}'; done");
  LocalFake local;
  WorkerEvaluator evaluator(local, {path}, 10s);
  auto killed = evaluator.evaluate(kProblem, kVariant);
  EXPECT_EQ(killed.disposition, Disposition::launch_error);
  EXPECT_TRUE(killed.retryable) << killed.message;
  EXPECT_NE(killed.message.find("signal 9"), std::string::npos) << killed.message;
  EXPECT_EQ(evaluator.evaluate(kProblem, kVariant).disposition, Disposition::ok);
  std::filesystem::remove(path);
  std::filesystem::remove(marker);
}

TEST(WorkerEvaluator, HangIsTimeout) {
  const auto path = script("read line\nsleep 30");
  LocalFake local;
  WorkerEvaluator evaluator(local, {path}, 300ms);
  auto hung = evaluator.evaluate(kProblem, kVariant);
  EXPECT_EQ(hung.disposition, Disposition::timeout);
  EXPECT_TRUE(evaluator.remeasure(kProblem, kVariant).empty());
  std::filesystem::remove(path);
}
