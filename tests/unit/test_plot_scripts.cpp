// scripts/plots.py and scripts/reproduce on hand-made databases written through the real store:
// every plot of a full database, "not measured" (never a crash) for empty and model-only ones,
// one-line errors for bad files. Plot checks skip, with the reason, when python3 or matplotlib is
// not installed; reproduce's tables need python3 only.
#include "handmade_db.hpp"
#include "support/toolkit.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sys/wait.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

namespace fs = std::filesystem;

namespace {

struct Result {
  int exit_code = -1;
  std::string out, err;
};

fs::path temp_path(const std::string& name) {
  return fs::path(LUTGEMM_TEST_BINARY_DIR) / ("test_plot_scripts." + name);
}

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

Result run_script(const std::string& script, const std::string& args) {
  const auto out = temp_path("out"), err = temp_path("err");
  // matplotlib's font cache goes to the build tree, not the user's home.
  const std::string command =
      "MPLBACKEND=Agg MPLCONFIGDIR='" + std::string(LUTGEMM_TEST_BINARY_DIR) +
      "/test-cache/matplotlib' python3 '" + std::string(LUTGEMM_TEST_SOURCE_DIR) + "/scripts/" +
      script + "' " + args + " >'" + out.string() + "' 2>'" + err.string() + "'";
  const int status = std::system(command.c_str());
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, slurp(out), slurp(err)};
}

bool have_python() {
  return std::system("python3 -c 'import sqlite3' >/dev/null 2>&1") == 0;
}

// plots.py runs itself again with the project's .venv (scripts/setup) when python3 lacks them.
bool have_matplotlib() {
  const std::string venv = std::string(LUTGEMM_TEST_SOURCE_DIR) + "/.venv/bin/python";
  for (const std::string& python : {std::string("python3"), "'" + venv + "'"}) {
    if (std::system((python + " -c 'import matplotlib, numpy' >/dev/null 2>&1").c_str()) == 0)
      return true;
  }
  return false;
}

#define REQUIRE_PYTHON()                                                                           \
  if (!have_python()) {                                                                            \
    LUTGEMM_SKIP_OR_FAIL("python3 (with sqlite3) is not installed");                               \
  }
#define REQUIRE_MATPLOTLIB()                                                                       \
  REQUIRE_PYTHON();                                                                                \
  if (!have_matplotlib()) {                                                                        \
    LUTGEMM_SKIP_OR_FAIL(                                                                          \
        "matplotlib/numpy not installed (pip install -r scripts/requirements.txt)");               \
  }

bool is_png(const fs::path& path) {
  const std::string bytes = slurp(path);
  return bytes.size() > 1000 && bytes.compare(0, 8, "\x89PNG\r\n\x1a\n") == 0;
}

fs::path fresh_dir(const std::string& name) {
  const auto dir = temp_path(name);
  fs::remove_all(dir);
  return dir;
}

fs::path empty_db() {
  const auto db = temp_path("empty.db");
  for (const auto& p : {db, fs::path(db.string() + "-wal"), fs::path(db.string() + "-shm")})
    fs::remove(p);
  (void)lutgemm::store::Store::open(db.string());
  return db;
}

} // namespace

TEST(PlotsScript, EveryPlotOfAFullDatabase) {
  REQUIRE_MATPLOTLIB();
  const auto db = temp_path("full.db");
  lutgemm::handmade::write_handmade_db(db, /*sweep=*/true);
  const auto out = fresh_dir("plots");
  const Result r =
      run_script("plots.py", "--db '" + db.string() + "' --out '" + out.string() + "'");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  for (const char* kind : {"latency_vs_bits", "latency_vs_group", "speedup", "floor"}) {
    const auto png = out / (std::string("NVIDIA-A100-SXM4-80GB_") + kind + ".png");
    EXPECT_TRUE(is_png(png)) << png;
  }
  // The model-only device: its one LUT-GEMM time is plotted against the floor (titled MODELLED);
  // it has no baseline, so no speed-up plot, and says so.
  EXPECT_TRUE(is_png(out / "A100-80GB-model_floor.png"));
  EXPECT_FALSE(fs::exists(out / "A100-80GB-model_speedup.png"));
  EXPECT_NE(r.out.find("A100 80GB (model): speedup: not measured"), std::string::npos) << r.out;
}

TEST(PlotsScript, EmptyDatabaseSaysNotMeasured) {
  REQUIRE_MATPLOTLIB();
  const auto out = fresh_dir("plots_empty");
  const Result r =
      run_script("plots.py", "--db '" + empty_db().string() + "' --out '" + out.string() + "'");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("not measured"), std::string::npos) << r.out;
  EXPECT_TRUE(fs::is_empty(out));
}

TEST(PlotsScript, BadDatabaseIsOneLineExitTwo) {
  REQUIRE_PYTHON();
  const Result missing = run_script("plots.py", "--db /nonexistent/x.db --out /tmp/unused");
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_EQ(std::count(missing.err.begin(), missing.err.end(), '\n'), 1) << missing.err;
  EXPECT_NE(missing.err.find("/nonexistent/x.db"), std::string::npos);
  const auto text = temp_path("text.db");
  std::ofstream(text) << "plain text, not SQLite, long enough to fill the header of a database";
  const Result bad = run_script("plots.py", "--db '" + text.string() + "' --out /tmp/unused");
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find(text.string()), std::string::npos) << bad.err;
}

TEST(ReproduceScript, EveryTableOfEveryDevice) {
  REQUIRE_PYTHON();
  const auto db = temp_path("repro.db");
  lutgemm::handmade::write_handmade_db(db, /*sweep=*/true);
  const auto out = fresh_dir("repro");
  const Result r = run_script("reproduce", "--db '" + db.string() + "' --out '" + out.string() +
                                               "' --lutgemm '" + LUTGEMM_CLI_PATH + "'");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  for (const char* device : {"NVIDIA-A100-SXM4-80GB", "A100-80GB-model"}) {
    for (const char* table : {"1", "2", "3", "4", "5", "all", "results"}) {
      for (const char* format : {"md", "csv", "json"}) {
        const auto file = out / device / (std::string("table_") + table + "." + format);
        ASSERT_TRUE(fs::exists(file)) << file;
        if (std::string(format) == "json") {
          EXPECT_TRUE(nlohmann::json::accept(slurp(file))) << file;
        }
      }
    }
  }
  EXPECT_NE(slurp(out / "NVIDIA-A100-SXM4-80GB" / "table_1.md").find("0.2500"), std::string::npos);
  const std::string index = slurp(out / "README.md");
  EXPECT_NE(index.find("model-only"), std::string::npos);
  if (have_matplotlib()) {
    EXPECT_TRUE(
        is_png(out / "NVIDIA-A100-SXM4-80GB" / "plots" / "NVIDIA-A100-SXM4-80GB_speedup.png"));
  }
}

TEST(ReproduceScript, EmptyDatabaseGivesNotMeasuredTables) {
  REQUIRE_PYTHON();
  const auto out = fresh_dir("repro_empty");
  const Result r =
      run_script("reproduce", "--db '" + empty_db().string() + "' --out '" + out.string() +
                                  "' --lutgemm '" + LUTGEMM_CLI_PATH + "'");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const std::string all = slurp(out / "no-results" / "table_all.md");
  EXPECT_NE(all.find("not measured"), std::string::npos);
  EXPECT_NE(slurp(out / "README.md").find("no results yet"), std::string::npos);
}
