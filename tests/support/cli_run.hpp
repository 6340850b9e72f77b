#pragma once
// Runs the `lutgemm` binary from a test, as a user would from a shell, and captures what it said.
// The one copy of this for every test that drives the command line (it used to be repeated in
// each such file). Header-only: every test executable is built from one source file.
#include <sqlite3.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>

namespace lutgemm::test {

struct CliResult {
  int exit_code = -1; // -1: killed by a signal or not started
  std::string out, err;
};

inline std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Where the tests find the lutgemm binary and keep their files: the build tree's, unless
// LUTGEMM_TEST_CLI / LUTGEMM_TEST_WORK_DIR say otherwise (scripts/gpu-validate sets both when the
// gpu tests run from a bundle on another machine, where the build tree's paths do not exist:
// scripts/gpu-bundle).
inline std::string from_env_or(const char* name, const char* fallback) {
  const char* value = std::getenv(name);
  return value && *value ? value : fallback;
}

// A folder of the build tree for one test file's files (created on first use).
inline std::string work_dir(const std::string& name) {
  const std::string dir =
      from_env_or("LUTGEMM_TEST_WORK_DIR", LUTGEMM_TEST_BINARY_DIR) + "/" + name;
  std::filesystem::create_directories(dir);
  return dir;
}

// A path in `dir` that does not exist yet: random suffix, so that tests run in parallel (ctest -j)
// and reruns never see an old file.
inline std::string fresh_path(const std::string& dir, const std::string& name) {
  std::filesystem::create_directories(dir);
  const auto path = dir + "/" + name + "_" + std::to_string(std::random_device{}());
  std::filesystem::remove(path);
  return path;
}

// A shell command line (a script of the project, say), its output captured as run_lutgemm's.
inline CliResult run_command(const std::string& command_line, bool merge_stderr = false) {
  const std::string dir = work_dir("cli_run");
  const std::string out = fresh_path(dir, "out"), err = fresh_path(dir, "err");
  const std::string command =
      command_line + " >'" + out + "' " + (merge_stderr ? "2>&1" : "2>'" + err + "'");
  const int status = std::system(command.c_str());
  CliResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = slurp(out);
  r.err = slurp(err);
  std::filesystem::remove(out);
  std::filesystem::remove(err);
  return r;
}

// `lutgemm ARGS` with `env` (NAME=value assignments) in front. `merge_stderr`: stderr goes to `out`
// too, in the order written (for checks that do not care which stream a line went to).
inline CliResult run_lutgemm(const std::string& args, const std::string& env = "",
                             bool merge_stderr = false) {
  return run_command(env + " '" + from_env_or("LUTGEMM_TEST_CLI", LUTGEMM_CLI_PATH) + "' " + args,
                     merge_stderr);
}

inline int line_count(const std::string& text) {
  int n = 0;
  for (char c : text)
    n += c == '\n';
  return n;
}

// The first column of the first row of `sql` on `db` (read-only), or -1 when it cannot be read
// (yet): a tune may be creating the schema or writing right now, hence the busy timeout.
inline long long count_rows(const std::string& db, const std::string& sql) {
  sqlite3* handle = nullptr;
  long long n = -1;
  if (sqlite3_open_v2(db.c_str(), &handle, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_busy_timeout(handle, 5000);
    sqlite3_stmt* statement = nullptr;
    if (sqlite3_prepare_v2(handle, sql.c_str(), -1, &statement, nullptr) == SQLITE_OK &&
        sqlite3_step(statement) == SQLITE_ROW)
      n = sqlite3_column_int64(statement, 0);
    sqlite3_finalize(statement);
  }
  sqlite3_close(handle);
  return n;
}

} // namespace lutgemm::test
