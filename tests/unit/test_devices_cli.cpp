// `lutgemm devices` without a driver (forced through LUTGEMM_CUDA_DRIVER, so the test means the
// same on a GPU machine): exit 0, one line saying why, the emulator still listed; --json parses.
#include "support/cli_run.hpp"
#include "support/toolkit.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <vector>

namespace {

using Result = lutgemm::test::CliResult;
Result run(const std::string& env, const std::string& args) {
  return lutgemm::test::run_lutgemm(args, env);
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream in(text);
  for (std::string line; std::getline(in, line);)
    out.push_back(line);
  return out;
}

const std::string kMissing = "LUTGEMM_CUDA_DRIVER=libcuda_lutgemm_test_missing.so.1";

} // namespace

TEST(DevicesCli, NoDriverIsOneLineAndExitZero) {
  const Result r = run(kMissing, "devices");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  const auto out = lines(r.out);
  ASSERT_EQ(out.size(), 2u) << r.out;
  EXPECT_EQ(out[0].rfind("no CUDA driver (libcuda_lutgemm_test_missing.so.1 not found): ", 0), 0u)
      << out[0];
  EXPECT_EQ(out[1].rfind("emu ", 0), 0u) << out[1];
  EXPECT_NE(out[1].find("host SIMT emulator"), std::string::npos);
}

TEST(DevicesCli, JsonNamesTheStateAndListsTheEmulator) {
  const Result r = run(kMissing, "devices --json");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  const auto json = nlohmann::json::parse(r.out);
  EXPECT_EQ(json.at("cuda").at("status"), "no_driver");
  EXPECT_TRUE(json.at("cuda").at("devices").empty());
  EXPECT_NE(json.at("cuda").at("message").get<std::string>().find("no CUDA driver"),
            std::string::npos);
  EXPECT_EQ(json.at("emulator").at("available"), true);
  EXPECT_GE(json.at("emulator").at("worker_threads").get<int>(), 1);
}

TEST(DevicesCli, StubLibraryIsReportedAsUnusableNotAsACrash) {
  const std::string stub = (lutgemm::test::cuda_home() / "lib64/stubs/libcuda.so").string();
  if (!std::ifstream(stub))
    GTEST_SKIP() << "no CUDA stub library at " << stub;
  const Result r = run("LUTGEMM_CUDA_DRIVER=" + stub, "devices");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  const auto out = lines(r.out);
  ASSERT_EQ(out.size(), 2u) << r.out;
  EXPECT_EQ(out[0].rfind("CUDA driver unusable: ", 0), 0u) << out[0];
}

TEST(DevicesCli, UnknownOptionIsExitTwo) {
  const Result r = run(kMissing, "devices --bogus");
  EXPECT_EQ(r.exit_code, 2);
}
