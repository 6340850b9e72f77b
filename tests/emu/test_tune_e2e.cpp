// A tiny tune on the emu backend, end to end through the real modules: every variant compiled for
// the host, run in the emulator at its proxy shape, verified against the float64 reference, ranked
// by the performance model (labelled modelled, never measured), and stored. A deliberately wrong
// kernel is caught by verification and stored as wrong_result.
#include "backend/emu_backend.hpp"
#include "search/tune_driver.hpp"
#include "search/variant_evaluator.hpp"
#include "search/worker_evaluator.hpp"
#include "store/store.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <random>

using namespace lutgemm;

namespace {

std::string temp_db(const char* name) {
  auto path = std::filesystem::temp_directory_path() /
              (std::string(name) + "_" + std::to_string(std::random_device{}()) + ".db");
  std::filesystem::remove(path);
  return path.string();
}

search::EvaluatorConfig config_for(const char* target, std::vector<std::string> restrictions) {
  search::EvaluatorConfig config;
  config.target = &find_target(target);
  config.limits = space::target_limits(*config.target);
  config.dram_peak_gbps = config.target->dram_gbps;
  config.small_space = true;
  config.restrictions = std::move(restrictions);
  config.seed = 11;
  return config;
}

struct Tuned {
  std::vector<search::ProblemSummary> summaries;
  std::vector<store::StoredMeasurement> rows;
};

Tuned tune(const std::string& db, search::EvaluatorConfig config, const Problem& problem,
           emu::LaunchOptions launch = {}) {
  auto store = store::Store::open(db);
  store::DeviceRecord device;
  device.key = "model:test";
  device.name = "test target";
  device.backend = "emu";
  device.arch = "sm_80";
  const auto device_id = store.device_id(device);
  store::RunInfo info;
  info.command_line = "test_tune_e2e";
  info.backend = "emu";
  info.strategy = "exhaustive";
  info.device_id = device_id;
  const auto run_id = store.begin_run(info);
  search::VariantEvaluator evaluator(std::make_shared<backend::EmuBackend>(launch),
                                     std::move(config));
  search::TuneDriver driver(store, evaluator, {}, run_id, device_id);
  Tuned t;
  t.summaries = driver.run({problem}, nullptr);
  store.end_run(run_id, store::RunStatus::completed);
  t.rows = store.run_measurements(run_id);
  return t;
}

} // namespace

TEST(TuneE2E, EveryVariantVerifiedAndModelled) {
  const auto db = temp_db("tune_e2e");
  const Problem problem{.m = 1000, .k = 512, .batch = 1, .bits = 3, .group = 128};
  auto t = tune(db, config_for("a100-80gb", {"mu=8", "rows_per_thread=4", "threads=128"}), problem);
  ASSERT_EQ(t.summaries.size(), 1u);
  const auto& s = t.summaries[0];
  EXPECT_EQ(s.after_constraints, 2u); // split 1 (none) and split 8 (reduce)
  EXPECT_EQ(s.ok, 2u) << (t.rows.empty() ? "" : t.rows[0].message);
  EXPECT_EQ(s.source, TimeSource::modelled);
  ASSERT_TRUE(s.best_variant);
  ASSERT_TRUE(s.best_us);
  EXPECT_GT(*s.best_us, 0.0);
  ASSERT_EQ(t.rows.size(), 2u);
  for (const auto& row : t.rows) {
    EXPECT_EQ(row.disposition, Disposition::ok) << row.variant_label << ": " << row.message;
    EXPECT_EQ(row.source, TimeSource::modelled);
    EXPECT_EQ(row.family, "lutgemm");
    EXPECT_NE(row.message.find("modelled for a100-80gb"), std::string::npos) << row.message;
    EXPECT_NE(row.message.find("verified in the emulator"), std::string::npos) << row.message;
    ASSERT_TRUE(row.median_us);
    EXPECT_GT(*row.median_us, 0.0);
  }
  // A larger problem is verified at a proxy shape with the same tile and group structure, and says
  // so.
  const Problem big{.m = 8192, .k = 4096, .batch = 1, .bits = 3, .group = 128};
  auto u = tune(db,
                config_for("h100-sxm",
                           {"mu=8", "rows_per_thread=4", "threads=128", "split=1", "combine=none"}),
                big);
  ASSERT_EQ(u.rows.size(), 1u);
  EXPECT_EQ(u.rows[0].disposition, Disposition::ok) << u.rows[0].message;
  EXPECT_EQ(u.rows[0].proxy_shape, "532x256");
  EXPECT_EQ(u.summaries[0].proxy_shape, "532x256");
  std::filesystem::remove(db);
}

TEST(TuneE2E, WrongKernelIsStoredAsWrongResult) {
  const auto db = temp_db("tune_e2e_wrong");
  auto config = config_for("a100-80gb",
                           {"mu=8", "rows_per_thread=4", "threads=128", "split=1", "combine=none"});
  config.source_override = "tests/emu/kernels/wrong_lutgemm.cuh";
  const Problem problem{.m = 700, .k = 256, .batch = 1, .bits = 3, .group = 128};
  auto t = tune(db, config, problem);
  ASSERT_EQ(t.rows.size(), 1u);
  EXPECT_EQ(t.rows[0].disposition, Disposition::wrong_result) << t.rows[0].message;
  EXPECT_NE(t.rows[0].message.find("reference"), std::string::npos) << t.rows[0].message;
  EXPECT_FALSE(t.summaries[0].best_variant);
  std::filesystem::remove(db);
}

TEST(TuneE2E, WorkerProcessGivesTheSameOutcomeAsInProcess) {
  const auto db = temp_db("tune_e2e_worker");
  auto config = config_for(
      "a100-80gb", {"mu=8", "rows_per_thread=4", "threads=128", "split=8", "combine=reduce"});
  search::VariantEvaluator local(std::make_shared<backend::EmuBackend>(), config);
  const Problem problem{.m = 3000, .k = 1024, .batch = 1, .bits = 3, .group = 128};
  auto variants = space::accepted_variants(local.space(problem), problem);
  ASSERT_EQ(variants.size(), 1u);
  const auto direct = local.evaluate(problem, variants[0]);
  search::WorkerEvaluator worker(local,
                                 {LUTGEMM_CLI_PATH, "worker", "--backend", "emu", "--target",
                                  "a100-80gb", "--db", db, "--seed", "11"},
                                 std::chrono::seconds(300));
  const auto isolated = worker.evaluate(problem, variants[0]);
  EXPECT_EQ(direct.disposition, Disposition::ok) << direct.message;
  EXPECT_EQ(isolated.disposition, direct.disposition) << isolated.message;
  EXPECT_EQ(isolated.source, TimeSource::modelled);
  EXPECT_EQ(isolated.message, direct.message);
  EXPECT_EQ(isolated.proxy_shape, direct.proxy_shape);
  ASSERT_TRUE(isolated.time_us && direct.time_us);
  EXPECT_DOUBLE_EQ(isolated.time_us->median, direct.time_us->median);
  EXPECT_EQ(isolated.max_error, direct.max_error);
  EXPECT_EQ(worker.restarts(), 0);
  std::filesystem::remove(db);
}

TEST(TuneE2E, FaultingKernelIsLaunchErrorAndTheSweepGoesOn) {
  const auto db = temp_db("tune_e2e_fault");
  auto config = config_for(
      "a100-80gb", {"mu=8", "rows_per_thread=4", "threads=128,256", "split=1", "combine=none"});
  config.source_override = "tests/emu/kernels/faulting_lutgemm.cuh";
  emu::LaunchOptions launch;
  launch.isolate = true; // as `lutgemm tune` runs the emulator
  const Problem problem{.m = 700, .k = 256, .batch = 1, .bits = 3, .group = 128};
  auto t = tune(db, config, problem, launch);
  ASSERT_EQ(t.rows.size(), 2u); // both variants attempted: the first fault did not end the sweep
  for (const auto& row : t.rows) {
    EXPECT_EQ(row.disposition, Disposition::launch_error) << row.message;
    EXPECT_NE(row.message.find("out_of_bounds"), std::string::npos) << row.message;
  }
  EXPECT_EQ(t.summaries[0].failed, 2u);
  std::filesystem::remove(db);
}

TEST(TuneE2E, EmulatorReportsMapToDispositions) {
  EXPECT_EQ(backend::disposition_for(emu::ErrorKind::compile_error), Disposition::compile_error);
  EXPECT_EQ(backend::disposition_for(emu::ErrorKind::launch_config), Disposition::resource_limit);
  EXPECT_EQ(backend::disposition_for(emu::ErrorKind::timeout), Disposition::timeout);
  EXPECT_EQ(backend::disposition_for(emu::ErrorKind::deadlock), Disposition::timeout);
  for (auto kind :
       {emu::ErrorKind::out_of_bounds, emu::ErrorKind::barrier_divergence,
        emu::ErrorKind::shared_race, emu::ErrorKind::crash, emu::ErrorKind::interrupted})
    EXPECT_EQ(backend::disposition_for(kind), Disposition::launch_error);
}

TEST(TuneE2E, ProxyKeepsTheRealMTailAndVerifyFullUsesTheRealShape) {
  // 4097 rows with 512-row blocks: a 1-row tail, which the proxy must verify (it used to always
  // have a 20-row tail). A problem without a tail still gets a partial block for coverage.
  LutParams params;
  params.threads = 128;
  params.rows_per_thread = 4;
  const Problem odd{.m = 4097, .k = 512, .batch = 1, .bits = 3, .group = 128};
  EXPECT_EQ(search::VariantEvaluator::proxy_problem(odd, params).m, 513);
  const Problem aligned{.m = 8192, .k = 512, .batch = 1, .bits = 3, .group = 128};
  EXPECT_EQ(search::VariantEvaluator::proxy_problem(aligned, params).m, 532);
  const Problem small{.m = 700, .k = 512, .batch = 1, .bits = 3, .group = 128};
  EXPECT_EQ(search::VariantEvaluator::proxy_problem(small, params).m, 700);

  const auto db = temp_db("tune_e2e_full");
  const std::vector<std::string> one = {"mu=8", "rows_per_thread=4", "threads=128", "split=1",
                                        "combine=none"};
  auto proxied = tune(db, config_for("a100-80gb", one), odd);
  ASSERT_EQ(proxied.rows.size(), 1u);
  EXPECT_EQ(proxied.rows[0].disposition, Disposition::ok) << proxied.rows[0].message;
  EXPECT_EQ(proxied.rows[0].proxy_shape.substr(0, 4), "513x") << proxied.rows[0].proxy_shape;
  const auto full_db = temp_db("tune_e2e_full2"); // a new file: not a resume of the above
  auto config = config_for("a100-80gb", one);
  config.verify_full = true;
  auto full = tune(full_db, config, odd);
  ASSERT_EQ(full.rows.size(), 1u);
  EXPECT_EQ(full.rows[0].disposition, Disposition::ok) << full.rows[0].message;
  EXPECT_EQ(full.rows[0].proxy_shape, "") << "verified at the real shape";
  std::filesystem::remove(db);
  std::filesystem::remove(full_db);
}
