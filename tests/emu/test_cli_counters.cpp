// `lutgemm profile` and `lutgemm tune --counters` from the outside: the emulated counters of a
// variant are printed under Nsight Compute's names, stored with the tune's row, and used by the
// model (the row's message says so); bad input is one line, exit 2.
#include "support/cli_run.hpp"
#include <fmt/format.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sqlite3.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <sys/wait.h>

namespace {

const std::string kDir = std::string(LUTGEMM_TEST_BINARY_DIR) + "/test_cli_counters";

using Result = lutgemm::test::CliResult;
Result run(const std::string& args) {
  return lutgemm::test::run_lutgemm(args);
}

std::string query_text(const std::string& db, const std::string& sql) {
  sqlite3* handle = nullptr;
  EXPECT_EQ(sqlite3_open_v2(db.c_str(), &handle, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  std::string text;
  if (sqlite3_prepare_v2(handle, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK &&
      sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_text(stmt, 0) != nullptr)
    text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
  sqlite3_finalize(stmt);
  sqlite3_close(handle);
  return text;
}

constexpr const char* kWavefronts = "l1tex__data_pipe_lsu_wavefronts_mem_shared_op_ld.sum";
constexpr const char* kSharedLoads = "smsp__inst_executed_op_shared_ld.sum";

} // namespace

TEST(CliProfile, PrintsCountersUnderNsightNames) {
  auto r = run("profile --shape 1024x512 --bits 3 --group 128 --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  const auto& c = j.at("counters");
  EXPECT_GT(c.at(kWavefronts).get<double>(), 0.0);
  EXPECT_GE(c.at(kWavefronts).get<double>(),
            c.at("smsp__inst_executed_op_shared_ld.sum").get<double>());
  EXPECT_GE(c.at("emu__shared_ld_conflict_factor").get<double>(), 1.0);
  EXPECT_GT(c.at("l1tex__t_sectors_pipe_lsu_mem_global_op_ld.sum").get<double>(), 0.0);
  EXPECT_GT(j.at("model_us_with_counters").get<double>(), 0.0);
  EXPECT_NE(j.at("counted_at_shape").get<std::string>(), "");

  auto text = run("profile --shape 1024x512 --bits 3 --group 128");
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find(kWavefronts), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("not a GPU measurement"), std::string::npos) << text.out;
}

TEST(CliProfile, UnknownVariantIsOneLineExit2) {
  auto r = run("profile --shape 1024x512 --bits 3 --variant no_such_variant");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("no_such_variant"), std::string::npos) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
}

TEST(CliTune, CountersAreStoredAndModelled) {
  std::filesystem::create_directories(kDir);
  const std::string db = kDir + "/counters_" + std::to_string(std::random_device{}()) + ".db";
  std::filesystem::remove(db);
  auto r = run("tune --backend emu --counters --shape 512x256 --strategy random --budget 1 "
               "--seed 3 --json --quiet --db " +
               db);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string counters = query_text(
      db, "SELECT counters FROM measurements WHERE disposition = 'ok' ORDER BY id LIMIT 1");
  ASSERT_FALSE(counters.empty());
  const auto c = nlohmann::json::parse(counters);
  EXPECT_GT(c.at(kWavefronts).get<double>(), 0.0);
  const std::string message = query_text(
      db, "SELECT message FROM measurements WHERE disposition = 'ok' ORDER BY id LIMIT 1");
  EXPECT_NE(message.find("with its emulated counters"), std::string::npos) << message;
  // The results listing shows the counted conflict factor (wavefronts per shared-load request).
  auto listing = run("report --table results --format json --db " + db);
  ASSERT_EQ(listing.exit_code, 0) << listing.err;
  const std::string expected =
      fmt::format("{:.2f}", c.at(kWavefronts).get<double>() / c.at(kSharedLoads).get<double>());
  EXPECT_NE(listing.out.find("\"smem conflicts\""), std::string::npos) << listing.out;
  EXPECT_NE(listing.out.find("\"" + expected + "\""), std::string::npos)
      << "expected a factor of " << expected << " in " << listing.out;
  // Without --counters nothing is counted.
  std::filesystem::remove(db);
  auto plain = run("tune --backend emu --shape 512x256 --strategy random --budget 1 --seed 3 "
                   "--json --quiet --db " +
                   db);
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  EXPECT_EQ(query_text(db, "SELECT counters FROM measurements WHERE disposition = 'ok' LIMIT 1"),
            "{}");
}
