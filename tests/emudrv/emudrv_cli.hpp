#pragma once
// Runs `lutgemm` with the emulated CUDA driver (tuner/emu_driver/) and its switches in the
// environment, capturing exit code, stdout and stderr.
#include <sqlite3.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>

namespace emudrv {

struct Result {
  int exit_code = -1;
  std::string out, err;
};

inline std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

inline std::string work_dir() {
  const std::string dir = std::string(LUTGEMM_TEST_BINARY_DIR) + "/test_emudrv";
  std::filesystem::create_directories(dir);
  return dir;
}

// A path in the work directory that does not exist yet.
inline std::string fresh_path(const std::string& name) {
  auto path = work_dir() + "/" + name + "_" + std::to_string(std::random_device{}());
  std::filesystem::remove(path);
  return path;
}

// `env`: extra NAME=value assignments, e.g. "LUTGEMM_EMUCUDA_EXCLUSIVE=1".
inline Result run(const std::string& args, const std::string& env = "") {
  const std::string out = fresh_path("out"), err = fresh_path("err");
  const std::string command = "LUTGEMM_CUDA_DRIVER='" + std::string(LUTGEMM_EMU_DRIVER_PATH) +
                              "' LUTGEMM_EMUCUDA_THREADS=1 " + env + " '" +
                              std::string(LUTGEMM_CLI_PATH) + "' " + args + " >'" + out + "' 2>'" +
                              err + "'";
  const int status = std::system(command.c_str());
  Result r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = slurp(out);
  r.err = slurp(err);
  std::filesystem::remove(out);
  std::filesystem::remove(err);
  return r;
}

inline long long count_rows(const std::string& db, const std::string& sql) {
  sqlite3* handle = nullptr;
  long long n = -1;
  if (sqlite3_open_v2(db.c_str(), &handle, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_stmt* statement = nullptr;
    if (sqlite3_prepare_v2(handle, sql.c_str(), -1, &statement, nullptr) == SQLITE_OK &&
        sqlite3_step(statement) == SQLITE_ROW)
      n = sqlite3_column_int64(statement, 0);
    sqlite3_finalize(statement);
  }
  sqlite3_close(handle);
  return n;
}

} // namespace emudrv
