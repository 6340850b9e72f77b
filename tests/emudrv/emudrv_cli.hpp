#pragma once
// Runs `lutgemm` with the emulated CUDA driver (tuner/emu_driver/) and its switches in the
// environment, capturing exit code, stdout and stderr.
#include "support/cli_run.hpp"

#include <string>

namespace emudrv {

using Result = lutgemm::test::CliResult;
using lutgemm::test::count_rows;
using lutgemm::test::slurp;

inline std::string work_dir() {
  return lutgemm::test::work_dir("test_emudrv");
}

// A path in the work directory that does not exist yet.
inline std::string fresh_path(const std::string& name) {
  return lutgemm::test::fresh_path(work_dir(), name);
}

// `env`: extra NAME=value assignments, e.g. "LUTGEMM_EMUCUDA_EXCLUSIVE=1".
inline Result run(const std::string& args, const std::string& env = "") {
  return lutgemm::test::run_lutgemm(args, "LUTGEMM_CUDA_DRIVER='" +
                                              std::string(LUTGEMM_EMU_DRIVER_PATH) +
                                              "' LUTGEMM_EMUCUDA_THREADS=1 " + env);
}

} // namespace emudrv
