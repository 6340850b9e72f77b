// `lutgemm space`, `compile` and `tune` from the outside: bad input exits 2 with one line naming
// the value, a corrupt database is left untouched, no device for --backend cuda is one line (exit
// 1) before any database is created, --json parses, and a tune writes its rows and resumes.
#include "support/cli_run.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sqlite3.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <sys/wait.h>

namespace {

const std::string kDir = std::string(LUTGEMM_TEST_BINARY_DIR) + "/test_cli_tune";

using lutgemm::test::count_rows;
using lutgemm::test::line_count;
using Result = lutgemm::test::CliResult;
using lutgemm::test::slurp;
Result run(const std::string& args, const std::string& env = "") {
  return lutgemm::test::run_lutgemm(args, env);
}

std::string fresh_db(const char* name) {
  std::filesystem::create_directories(kDir);
  auto path = kDir + "/" + name + "_" + std::to_string(std::random_device{}()) + ".db";
  std::filesystem::remove(path);
  return path;
}

void expect_usage_error(const std::string& args, const std::string& mentions) {
  auto r = run(args);
  EXPECT_EQ(r.exit_code, 2) << args << "\n" << r.err;
  EXPECT_EQ(line_count(r.err), 1) << args << "\n" << r.err;
  EXPECT_NE(r.err.find(mentions), std::string::npos) << args << "\n" << r.err;
}

} // namespace

TEST(CliSpace, BadInputsExit2WithOneLine) {
  expect_usage_error("space --kernel cutlass", "cutlass");
  expect_usage_error("space --shape 100x33", "33");
  expect_usage_error("space --bits 9", "9");
  expect_usage_error("space --param mu=5", "'5'");
  expect_usage_error("space --param bogus=1", "bogus");
  expect_usage_error("space --target gtx-480", "gtx-480");
  expect_usage_error("space --arch sm_x", "sm_x");
}

TEST(CliSpace, JsonCountsAreConsistent) {
  // The full LUT-GEMM space has 1.66M points (19 s to enumerate here, far longer under ASan):
  // the counts are checked on a slice that still meets every constraint and the pre-filter.
  const std::string lut_slice = " --param rows_per_thread=1,8 --param threads=64,256"
                                " --param k_tile=32,256 --param load_bits=32,128"
                                " --param copies=1,32 --param accum=f32,f16,h2 --param store=smem";
  for (const char* kernel : {"lutgemm", "optq"}) {
    auto r = run(std::string("space --json --kernel ") + kernel + " --shape 4096x4096 --batch 2" +
                 (std::string(kernel) == "lutgemm" ? lut_slice : std::string()));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto j = nlohmann::json::parse(r.out);
    const auto total = j["total"].get<std::size_t>();
    const auto after_constraints = j["after_constraints"].get<std::size_t>();
    const auto kept = j["after_prefilter"].get<std::size_t>();
    EXPECT_GT(total, 0u);
    EXPECT_LE(after_constraints, total);
    EXPECT_LE(kept, after_constraints);
    EXPECT_GT(kept, 0u) << kernel;
    EXPECT_EQ(j["variants"].size(), kept);
    EXPECT_EQ(j["removed"].size(), total - kept);
    for (const auto& removed : j["removed"])
      EXPECT_FALSE(removed["reason"].get<std::string>().empty());
  }
  // A restriction shrinks the space to the product of the kept values.
  auto r = run("space --json --param mu=8 --param threads=256 --param copies=1 --param k_tile=128");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  for (const auto& v : j["variants"]) {
    EXPECT_EQ(v["params"]["mu"], 8);
    EXPECT_EQ(v["params"]["threads"], 256);
  }
}

TEST(CliCompile, BadInputsExit2WithOneLine) {
  expect_usage_error("compile --arch compute_90", "compute_90");
  expect_usage_error("compile --limit -1 --small", "-1");
  expect_usage_error("compile --kernel none", "none");
}

TEST(CliTune, BadInputsExit2WithOneLine) {
  const auto db = fresh_db("bad");
  expect_usage_error("tune --db " + db + " --strategy annealing", "annealing");
  expect_usage_error("tune --db " + db + " --preset gpt-5", "gpt-5");
  expect_usage_error("tune --db " + db + " --preset opt-175b --layers fc1,fc7", "fc7");
  expect_usage_error("tune --db " + db + " --backend rocm", "rocm");
  expect_usage_error("tune --db " + db + " --target gtx-480", "gtx-480");
  expect_usage_error("tune --db " + db + " --budget -3", "-3");
  expect_usage_error("tune --db " + db + " --baselines cublas_fp32,mkl", "mkl");
  expect_usage_error("tune --db " + db + " --shape 4096x4000", "4000");
  expect_usage_error("tune --db " + db + " --space medium", "medium");
  expect_usage_error("tune --db " + db + " --layers fc1", "--preset");
  expect_usage_error("tune --db " + kDir, "directory"); // not a database file
  EXPECT_FALSE(std::filesystem::exists(db)) << "bad input must not create the database";
}

TEST(CliTune, CorruptDatabaseIsLeftUntouched) {
  const auto db = fresh_db("corrupt");
  {
    std::ofstream out(db);
    out << "this is not a database, and it must stay exactly like this\n";
  }
  const auto before = slurp(db);
  expect_usage_error("tune --backend emu --db " + db, db);
  EXPECT_EQ(slurp(db), before);
}

TEST(CliTune, CudaWithoutDeviceIsOneLineAndWritesNothing) {
  const auto db = fresh_db("nocuda");
  auto r = run("tune --backend cuda --db " + db,
               "LUTGEMM_CUDA_DRIVER=libcuda_lutgemm_test_missing.so.1");
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(line_count(r.err), 1) << r.err;
  EXPECT_NE(r.err.find("driver"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(db));
}

TEST(CliTune, WritesRowsAndResumes) {
  const auto db = fresh_db("resume");
  // One variant evaluated (random, budget 1) on a tiny problem; the rest only counted as skipped.
  const std::string args = "tune --backend emu --target h100-sxm --shape 512x256 --strategy random "
                           "--budget 1 --seed 3 --json --quiet --db " +
                           db;
  auto first = run(args);
  ASSERT_EQ(first.exit_code, 0) << first.err;
  auto j = nlohmann::json::parse(first.out);
  EXPECT_EQ(j["backend"], "emu");
  EXPECT_EQ(j["time_source"], "modelled");
  ASSERT_EQ(j["problems"].size(), 1u);
  const auto& p = j["problems"][0];
  EXPECT_EQ(p["evaluated"], 1);
  EXPECT_EQ(p["stored_before"], 0);
  EXPECT_EQ(p["source"], "modelled");
  const auto points = p["after_constraints"].get<long long>();
  EXPECT_GT(points, 1);
  EXPECT_EQ(p["skipped"].get<long long>(), points - 1);
  EXPECT_EQ(count_rows(db, "SELECT count(*) FROM measurements"), 1);
  EXPECT_EQ(count_rows(db, "SELECT count(*) FROM measurements WHERE source != 'modelled'"), 0);
  EXPECT_EQ(count_rows(db, "SELECT count(*) FROM runs WHERE status = 'completed'"), 1);
  EXPECT_EQ(count_rows(db, "SELECT count(*) FROM devices WHERE key = 'model:h100-sxm'"), 1);

  auto second = run(args);
  ASSERT_EQ(second.exit_code, 0) << second.err;
  auto k = nlohmann::json::parse(second.out);
  EXPECT_EQ(k["problems"][0]["evaluated"], 0);
  EXPECT_EQ(k["problems"][0]["stored_before"], 1);
  EXPECT_EQ(count_rows(db, "SELECT count(*) FROM runs"), 2);
  // The resumed run evaluated nothing again: one non-skipped row in total.
  EXPECT_EQ(count_rows(db, "SELECT count(*) FROM measurements WHERE disposition != 'skipped'"), 1);
}

TEST(CliTune, KilledWithSigkillThenResumedLosesNothingAndDuplicatesNothing) {
  const auto db = fresh_db("sigkill");
  const std::string args = std::string(LUTGEMM_CLI_PATH) +
                           " tune --backend emu --shape 1024x1024 --space full --param mu=8 "
                           "--param threads=128 --param accum=f32 --param load_bits=128 "
                           "--param k_tile=128 --param copies=1 --param build=direct --quiet "
                           "--json --db " +
                           db;
  const std::string log = kDir + "/sigkill.log";
  // Start it, wait until some results are committed, then kill -9 it mid-sweep.
  const std::string start =
      "sh -c '" + args + " >" + log + " 2>&1 & echo $!' > " + kDir + "/sigkill.pid";
  ASSERT_EQ(std::system(start.c_str()), 0);
  const auto pid = std::stol(slurp(kDir + "/sigkill.pid"));
  long long stored = 0;
  for (int i = 0; i < 600 && stored < 3; ++i) {
    std::system("sleep 0.05");
    if (std::filesystem::exists(db))
      stored = count_rows(db, "SELECT count(*) FROM measurements");
  }
  ASSERT_EQ(std::system(("kill -9 " + std::to_string(pid) + " 2>/dev/null; true").c_str()), 0);
  std::system("sleep 0.2");
  const long long before = count_rows(db, "SELECT count(*) FROM measurements");
  ASSERT_GE(before, 3);

  auto resumed = run(args.substr(args.find(" tune ") + 1));
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  auto j = nlohmann::json::parse(resumed.out);
  const auto& p = j["problems"][0];
  const auto points = p["after_constraints"].get<long long>();
  EXPECT_LT(before, points) << "the kill should have landed mid-sweep";
  EXPECT_GT(p["evaluated"].get<long long>(), 0);
  EXPECT_GE(p["stored_before"].get<long long>(), before); // nothing committed was lost
  EXPECT_EQ(p["stored_before"].get<long long>() + p["evaluated"].get<long long>(), points);
  // Every variant has exactly one sweep result over both runs: nothing measured twice.
  EXPECT_EQ(count_rows(db, "SELECT count(DISTINCT variant_id) FROM measurements WHERE phase = "
                           "'sweep' AND disposition != 'skipped'"),
            points);
  EXPECT_EQ(count_rows(db, "SELECT count(*) FROM measurements WHERE phase = 'sweep' AND "
                           "disposition != 'skipped'"),
            points);
  // The killed run is no longer 'running': its process is gone.
  EXPECT_EQ(count_rows(db, "SELECT count(*) FROM runs WHERE status = 'interrupted'"), 1);
  EXPECT_EQ(count_rows(db, "SELECT count(*) FROM runs WHERE status = 'running'"), 0);
}

TEST(CliTune, FourConcurrentTunersOnOneDatabaseEvaluateEachVariantOnce) {
  const auto db = fresh_db("four");
  const std::string args = std::string(LUTGEMM_CLI_PATH) +
                           " tune --backend emu --shape 1024x1024 --space full --param mu=8 "
                           "--param threads=128 --param accum=f32 --param load_bits=128 "
                           "--param k_tile=128 --param rows_per_thread=4 --param table=half "
                           "--param split=1,2 --quiet --json --db " +
                           db;
  std::string script = "sh -c '";
  for (int i = 0; i < 4; ++i)
    script += args + " >" + kDir + "/four" + std::to_string(i) + ".json 2>" + kDir + "/four" +
              std::to_string(i) + ".err & ";
  script += "wait'";
  ASSERT_EQ(std::system(script.c_str()), 0);
  long long evaluated = 0, points = 0;
  for (int i = 0; i < 4; ++i) {
    const auto text = slurp(kDir + "/four" + std::to_string(i) + ".json");
    auto j = nlohmann::json::parse(text, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << text << slurp(kDir + "/four" + std::to_string(i) + ".err");
    const auto& p = j["problems"][0];
    points = p["after_constraints"].get<long long>();
    evaluated += p["evaluated"].get<long long>();
    EXPECT_EQ(p["evaluated"].get<long long>() + p["stored_before"].get<long long>(), points);
  }
  EXPECT_EQ(evaluated, points) << "each variant evaluated once over the four tuners";
  EXPECT_EQ(count_rows(db, "SELECT count(*) FROM measurements WHERE phase = 'sweep'"), points);
  EXPECT_EQ(count_rows(db, "SELECT count(DISTINCT variant_id) FROM measurements"), points);
  EXPECT_EQ(count_rows(db, "SELECT count(*) FROM claims"), 0);
}
