// `lutgemm merge` from the outside: two databases written by `lutgemm tune --backend emu` merge
// into one with every row and its provenance, a second merge of the same inputs adds nothing, and
// a foreign, newer, corrupt or missing input is refused (exit 2, one line) with OUT unchanged.
// `tune --shard I/N`: the merged databases of N shards hold exactly the unsharded command's work,
// and `tune --retest-leaders` on them finds the unsharded tune's leaders. `tune --devices 2` stores
// exactly what one process does, each variant once; bad device lists are refused before any
// database exists.
#include "support/cli_run.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sqlite3.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <sys/wait.h>

namespace {

const std::string kDir = std::string(LUTGEMM_TEST_BINARY_DIR) + "/test_cli_merge";

using Result = lutgemm::test::CliResult;
using lutgemm::test::slurp;
Result run(const std::string& args) {
  return lutgemm::test::run_lutgemm(args);
}

std::string fresh_db(const std::string& name) {
  std::filesystem::create_directories(kDir);
  auto path = kDir + "/" + name + "_" + std::to_string(std::random_device{}()) + ".db";
  std::filesystem::remove(path);
  return path;
}

// All rows of one query, one line per row with '|' between the columns.
std::string rows(const std::string& db, const std::string& sql) {
  sqlite3* handle = nullptr;
  EXPECT_EQ(sqlite3_open_v2(db.c_str(), &handle, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  std::string text;
  EXPECT_EQ(sqlite3_prepare_v2(handle, sql.c_str(), -1, &stmt, nullptr), SQLITE_OK) << sql;
  while (stmt != nullptr && sqlite3_step(stmt) == SQLITE_ROW) {
    for (int i = 0; i < sqlite3_column_count(stmt); ++i) {
      const auto* value = sqlite3_column_text(stmt, i);
      text += (i ? "|" : "") + std::string(value ? reinterpret_cast<const char*>(value) : "NULL");
    }
    text += "\n";
  }
  sqlite3_finalize(stmt);
  sqlite3_close(handle);
  return text;
}

void exec(const std::string& db, const std::string& sql) {
  sqlite3* handle = nullptr;
  ASSERT_EQ(sqlite3_open(db.c_str(), &handle), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(handle, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK) << sql;
  sqlite3_close(handle);
}

// Every measurement by natural keys, with its run's provenance: ids differ between databases.
const char* kMeasurements =
    "SELECT p.key, v.family, v.label, m.phase, m.disposition, m.source, m.median_us, d.key, "
    "r.host, r.pid, r.shard, r.started_at FROM measurements m JOIN problems p ON p.id = "
    "m.problem_id JOIN variants v ON v.id = m.variant_id JOIN devices d ON d.id = m.device_id "
    "JOIN runs r ON r.id = m.run_id ORDER BY 1, 2, 3, 4, 8, 9, 10, 12";

std::string tuned(const std::string& name, const std::string& shape, int seed) {
  const auto db = fresh_db(name);
  auto r = run("tune --backend emu --target h100-sxm --shape " + shape +
               " --strategy random --budget 3 --seed " + std::to_string(seed) +
               " --param copies=1 --param build=direct --quiet --db " + db);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return db;
}

class CliMerge : public testing::Test {
protected:
  static void SetUpTestSuite() {
    a_ = tuned("a", "512x256", 3);
    b_ = tuned("b", "1024x256", 4);
  }
  static inline std::string a_, b_;
};

TEST_F(CliMerge, CopiesEveryRowWithProvenanceAndTwiceAddsNothing) {
  const auto out = fresh_db("out");
  auto first = run("merge --into " + out + " " + a_ + " " + b_);
  ASSERT_EQ(first.exit_code, 0) << first.err;

  // The merged measurements are exactly those of the two inputs, with their runs' host and pid.
  std::string expected = rows(a_, kMeasurements) + rows(b_, kMeasurements);
  const std::string merged = rows(out, kMeasurements);
  ASSERT_FALSE(rows(a_, kMeasurements).empty());
  ASSERT_FALSE(rows(b_, kMeasurements).empty());
  std::multiset<std::string> want, got;
  std::istringstream e(expected), g(merged);
  for (std::string line; std::getline(e, line);)
    want.insert(line);
  for (std::string line; std::getline(g, line);)
    got.insert(line);
  EXPECT_EQ(got, want);
  EXPECT_EQ(rows(out, "SELECT count(*) FROM runs"), "2\n");
  EXPECT_EQ(rows(out, "SELECT count(*) FROM problems"), "2\n");
  EXPECT_EQ(rows(out, "SELECT count(*) FROM devices"), "1\n"); // the same device key in both

  // The same inputs again (and one of them a third time): nothing new.
  const std::string everything = "SELECT (SELECT count(*) FROM devices), (SELECT count(*) FROM "
                                 "problems), (SELECT count(*) FROM variants), (SELECT count(*) "
                                 "FROM runs), (SELECT count(*) FROM measurements), (SELECT "
                                 "count(*) FROM compile_cache)";
  const std::string before = rows(out, everything) + merged;
  auto second = run("merge --into " + out + " " + a_ + " " + b_ + " " + a_);
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_EQ(rows(out, everything) + rows(out, kMeasurements), before);
  EXPECT_NE(second.out.find("added 0 runs, 0 measurements"), std::string::npos) << second.out;
}

TEST_F(CliMerge, BadInputIsRefusedAndOutIsUnchanged) {
  const auto out = fresh_db("kept");
  ASSERT_EQ(run("merge --quiet --into " + out + " " + a_).exit_code, 0);
  const std::string out_bytes = slurp(out);

  const auto foreign = fresh_db("foreign");
  exec(foreign, "CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1);");
  const auto text = fresh_db("text");
  std::ofstream(text) << "not a database\n";
  const auto newer = fresh_db("newer");
  std::filesystem::copy_file(b_, newer);
  exec(newer, "PRAGMA user_version = 4;");
  const auto corrupt = fresh_db("corrupt");
  std::filesystem::copy_file(b_, corrupt);
  {
    // Garbage over the start of page 2 (a table's b-tree root): the header still reads.
    std::fstream file(corrupt, std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(4096);
    file << std::string(200, '\xff');
  }
  const auto missing = kDir + "/no_such_file.db";

  for (const auto& bad : {foreign, text, newer, corrupt, missing}) {
    auto r = run("merge --into " + out + " " + b_ + " " + bad);
    EXPECT_EQ(r.exit_code, 2) << bad << "\n" << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_NE(r.err.find(bad), std::string::npos) << r.err;
    EXPECT_EQ(slurp(out), out_bytes) << bad;
    EXPECT_FALSE(std::filesystem::exists(out + "-wal"));
  }
  // A new OUT is not even created when an input is bad.
  const auto never = fresh_db("never");
  EXPECT_EQ(run("merge --into " + never + " " + a_ + " " + newer).exit_code, 2);
  EXPECT_FALSE(std::filesystem::exists(never));
  // OUT is not its own input.
  EXPECT_EQ(run("merge --into " + out + " " + out).exit_code, 2);
  EXPECT_EQ(slurp(out), out_bytes);
}

TEST(CliShard, ShardsTogetherDoTheUnshardedWorkExactlyOnce) {
  // Random strategy with a budget: the strategy chooses 2 variants per problem, then 3 shards
  // split those 4 (problem, variant) pairs.
  const std::string tune = "tune --backend emu --target h100-sxm --shape 512x256 --shape 1024x256 "
                           "--strategy random --budget 2 --seed 5 --param copies=1 --param "
                           "build=direct --quiet --db ";
  const char* kWork = "SELECT p.key, v.label, m.disposition FROM measurements m JOIN problems p "
                      "ON p.id = m.problem_id JOIN variants v ON v.id = m.variant_id WHERE "
                      "m.phase = 'sweep' ORDER BY 1, 2";
  const auto whole = fresh_db("whole");
  ASSERT_EQ(run(tune + whole).exit_code, 0);
  const std::string expected = rows(whole, kWork);
  ASSERT_EQ(std::count(expected.begin(), expected.end(), '\n'), 4) << expected;

  const auto merged = fresh_db("shards");
  std::string inputs;
  for (int i = 0; i < 3; ++i) {
    const auto shard = fresh_db("shard" + std::to_string(i));
    auto r = run(tune + shard + " --shard " + std::to_string(i) + "/3");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(rows(shard, "SELECT shard FROM runs"), std::to_string(i) + "/3\n");
    inputs += " " + shard;
  }
  ASSERT_EQ(run("merge --quiet --into " + merged + inputs).exit_code, 0);
  // Same (problem, variant, disposition) rows, none twice (ORDER BY keeps duplicates visible).
  EXPECT_EQ(rows(merged, kWork), expected);
  EXPECT_EQ(rows(merged, "SELECT shard FROM runs ORDER BY shard"), "0/3\n1/3\n2/3\n");
  EXPECT_EQ(rows(whole, "SELECT shard FROM runs"), "\n"); // unsharded: ''
}

// The shard test's work with a larger budget: 3 variants per problem, so that two workers (or
// shards) both get some.
const std::string kSmallTune = "tune --backend emu --target h100-sxm --shape 512x256 --shape "
                               "1024x256 --strategy random --budget 3 --seed 5 --param copies=1 "
                               "--param build=direct --quiet ";
const char* kSweepRows = "SELECT p.key, v.label, m.disposition FROM measurements m JOIN problems "
                         "p ON p.id = m.problem_id JOIN variants v ON v.id = m.variant_id WHERE "
                         "m.phase = 'sweep' ORDER BY 1, 2";

TEST(CliDevices, TwoEmulatorWorkersStoreExactlyWhatOneProcessDoes) {
  const auto one = fresh_db("devices1");
  auto r1 = run(kSmallTune + "--json --devices 1 --db " + one);
  ASSERT_EQ(r1.exit_code, 0) << r1.err;
  const std::string expected = rows(one, kSweepRows);
  ASSERT_EQ(std::count(expected.begin(), expected.end(), '\n'), 6) << expected;

  const auto two = fresh_db("devices2");
  auto r2 = run(kSmallTune + "--json --devices 2 --db " + two);
  ASSERT_EQ(r2.exit_code, 0) << r2.err;
  // The same (problem, variant, disposition) rows, each once (ORDER BY keeps duplicates visible).
  EXPECT_EQ(rows(two, kSweepRows), expected);
  // Both workers took part, each recorded with its device; the parent's run evaluated nothing.
  EXPECT_EQ(rows(two, "SELECT count(*) > 0 FROM measurements m JOIN runs r ON r.id = m.run_id "
                      "WHERE r.command_line LIKE '%--device 0 --devices-worker 0%' UNION ALL "
                      "SELECT count(*) > 0 FROM measurements m JOIN runs r ON r.id = m.run_id "
                      "WHERE r.command_line LIKE '%--device 1 --devices-worker 0%'"),
            "1\n1\n");
  EXPECT_EQ(rows(two, "SELECT count(*) FROM runs WHERE status = 'completed'"), "3\n");
  EXPECT_EQ(rows(two, "SELECT count(*) FROM claims"), "0\n");
  // The summary counts the workers' evaluations.
  auto j = nlohmann::json::parse(r2.out);
  long long evaluated = 0;
  for (const auto& p : j["problems"]) {
    evaluated += p["evaluated"].get<long long>();
    EXPECT_EQ(p["stored_before"], 0) << p.dump();
  }
  EXPECT_EQ(evaluated, 6) << r2.out;
}

// Without --quiet each worker's progress lines reach the terminal, named by device; with it,
// none do.
TEST(CliDevices, WorkersPrintProgressLinesNamedByDeviceUnlessQuiet) {
  std::string tune = kSmallTune;
  tune.erase(tune.find("--quiet "), 8);
  const auto loud = run(tune + "--devices 2 --db " + fresh_db("devicesprogress"));
  ASSERT_EQ(loud.exit_code, 0) << loud.err;
  // Each worker walks all 6 variants (2 problems x budget 3); a variant the other one evaluated
  // shows as "(stored)", so each is evaluated, and reported, once.
  int evaluated = 0;
  std::istringstream err(loud.err);
  for (std::string line; std::getline(err, line);)
    if ((line.rfind("device 0: [", 0) == 0 || line.rfind("device 1: [", 0) == 0) &&
        line.find("(stored)") == std::string::npos)
      ++evaluated;
  EXPECT_EQ(evaluated, 6) << loud.err;
  const auto quiet = run(kSmallTune + "--devices 2 --db " + fresh_db("devicesquiet"));
  ASSERT_EQ(quiet.exit_code, 0) << quiet.err;
  EXPECT_EQ(quiet.err.find("device 0: ["), std::string::npos) << quiet.err;
  EXPECT_EQ(quiet.err.find("device 1: ["), std::string::npos) << quiet.err;
}

TEST(CliDevices, BadListsExit2WithOneLineBeforeAnyDatabase) {
  for (const char* bad : {"0,0", "-1", "all", "0", "1,x", "65", "0,,1"}) {
    const auto db = fresh_db("baddevices");
    auto r = run("tune --backend emu --shape 512x256 --db " + db + " --devices " + bad);
    EXPECT_EQ(r.exit_code, 2) << bad << ": " << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_NE(r.err.find("--devices"), std::string::npos) << r.err;
    EXPECT_FALSE(std::filesystem::exists(db)) << bad;
  }
  const auto db = fresh_db("baddevices");
  for (const char* both :
       {"--device 0 --devices 2", "--devices 2 --retest-leaders", "--retest-leaders --shard 0/2"}) {
    auto r = run("tune --backend emu --shape 512x256 --db " + db + " " + both);
    EXPECT_EQ(r.exit_code, 2) << both << ": " << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  }
  EXPECT_FALSE(std::filesystem::exists(db));
}

TEST(CliRetest, MergedShardsThenRetestLeadersMatchTheUnshardedTune) {
  const auto whole = fresh_db("retest_whole");
  auto w = run(kSmallTune + "--json --db " + whole);
  ASSERT_EQ(w.exit_code, 0) << w.err;
  std::string inputs;
  for (int i = 0; i < 2; ++i) {
    const auto shard = fresh_db("retest_shard" + std::to_string(i));
    ASSERT_EQ(run(kSmallTune + "--db " + shard + " --shard " + std::to_string(i) + "/2").exit_code,
              0);
    inputs += " " + shard;
  }
  const auto merged = fresh_db("retest_merged");
  ASSERT_EQ(run("merge --quiet --into " + merged + inputs).exit_code, 0);
  const std::string sweep_before = rows(merged, kSweepRows);
  auto r = run(kSmallTune + "--json --retest-leaders --db " + merged);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // Nothing swept again; the same leaders, winner and counts as the unsharded tune's.
  EXPECT_EQ(rows(merged, kSweepRows), sweep_before);
  EXPECT_EQ(rows(merged, kSweepRows), rows(whole, kSweepRows));
  auto expected = nlohmann::json::parse(w.out)["problems"];
  auto actual = nlohmann::json::parse(r.out)["problems"];
  ASSERT_EQ(actual.size(), expected.size());
  for (std::size_t i = 0; i < actual.size(); ++i) {
    for (const char* field : {"problem", "best_variant", "best_us", "leaders", "leaders_remeasured",
                              "ok", "failed", "skipped", "note"})
      EXPECT_EQ(actual[i][field], expected[i][field]) << field << "\n" << r.out << w.out;
    EXPECT_EQ(actual[i]["evaluated"], 0);
    EXPECT_EQ(actual[i]["missing"], 0);
  }
  // Re-measured rows: as many as the unsharded tune stored (emu times are modelled: none).
  const char* kRemeasured = "SELECT count(*) FROM measurements WHERE phase = 'remeasure'";
  EXPECT_EQ(rows(merged, kRemeasured), rows(whole, kRemeasured));

  // A shard missing from the merge: the retest says so instead of passing it off as the whole.
  const auto partial = fresh_db("retest_partial");
  ASSERT_EQ(run("merge --quiet --into " + partial + inputs.substr(0, inputs.rfind(' '))).exit_code,
            0);
  auto p = run(kSmallTune + "--json --retest-leaders --db " + partial);
  ASSERT_EQ(p.exit_code, 0) << p.err;
  long long missing = 0;
  const auto summary = nlohmann::json::parse(p.out);
  for (const auto& problem : summary["problems"])
    missing += problem["missing"].get<long long>();
  EXPECT_GT(missing, 0) << p.out;
}

TEST(CliShard, BadShardIsRefusedNamingTheValue) {
  for (const char* bad : {"3/3", "1/0", "x"}) {
    const auto db = fresh_db("badshard");
    auto r = run("tune --backend emu --shape 512x256 --db " + db + " --shard " + bad);
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_NE(r.err.find(std::string("'") + bad + "'"), std::string::npos) << r.err;
    EXPECT_FALSE(std::filesystem::exists(db));
  }
}

} // namespace
