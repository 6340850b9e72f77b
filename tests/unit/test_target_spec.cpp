// Any GPU as a target: JSON spec files (tuner/targets/gpu_spec_file.hpp) through the library and
// through `--target-spec` on the command line.
#include "common/error.hpp"
#include "targets/gpu_spec_file.hpp"

#include "support/cli_run.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <string>

using namespace lutgemm;

namespace {
// stdout and stderr together: the checks look for a message, not for its stream.
lutgemm::test::CliResult run_cli(const std::string& args) {
  return lutgemm::test::run_lutgemm(args, "", true);
}

std::string write_spec(const std::string& name, const std::string& text) {
  const auto path = std::filesystem::path(LUTGEMM_TEST_BINARY_DIR) / name;
  std::ofstream(path) << text;
  return path.string();
}

std::string usage_error(std::string_view json) {
  try {
    parse_target_spec(json, "test.json");
  } catch (const UsageError& e) {
    return e.what();
  }
  return "no error";
}
} // namespace

TEST(TargetSpec, BaseThenOverrides) {
  const GpuSpec& s = parse_target_spec(
      R"({"base": "h100-sxm", "key": "h100-78", "sm_count": 78, "dram_gbps": 4000})", "x.json");
  EXPECT_EQ(s.key, "h100-78");
  EXPECT_EQ(s.sm_count, 78);
  EXPECT_EQ(s.dram_gbps, 4000);
  EXPECT_EQ(s.arch, "sm_90");                                    // from the base
  EXPECT_EQ(s.smem_per_sm, find_target("h100-sxm").smem_per_sm); // from the base
}

TEST(TargetSpec, FullSpecWithoutBase) {
  const GpuSpec& s = parse_target_spec(R"({
    "key": "my-gpu", "arch": "sm_100", "sm_count": 100, "dram_gbps": 5000,
    "dram_bytes": 1000000000, "l2_bytes": 50000000, "smem_per_sm": 233472,
    "smem_per_block_optin": 232448, "smem_per_block_static": 49152, "regs_per_sm": 65536,
    "max_regs_per_thread": 255, "max_threads_per_sm": 2048, "max_threads_per_block": 1024,
    "max_blocks_per_sm": 32, "warp_size": 32, "smem_banks": 32, "boost_clock_mhz": 1900,
    "fp32_lanes_per_sm": 128, "fp16_tensor_tflops": 1000})",
                                       "full.json");
  EXPECT_EQ(s.cc_major, 10);
  EXPECT_EQ(s.cc_minor, 0);
  EXPECT_EQ(s.name, "my-gpu");
  EXPECT_DOUBLE_EQ(s.l2_gbps, 2.5 * 5000); // the table's default assumption
}

TEST(TargetSpec, BadFieldsAreNamed) {
  EXPECT_NE(usage_error(R"({"base": "h100-sxm", "sm_count": -3})").find("'sm_count'"),
            std::string::npos);
  EXPECT_NE(usage_error(R"({"base": "h100-sxm", "dram_gbps": "fast"})").find("'dram_gbps'"),
            std::string::npos);
  EXPECT_NE(usage_error(R"({"base": "h100-sxm", "sm_cuont": 3})").find("'sm_cuont'"),
            std::string::npos);
  EXPECT_NE(usage_error(R"({"base": "v100"})").find("'base'"), std::string::npos);
  EXPECT_NE(usage_error(R"({"key": "x", "arch": "sm_90"})").find("is missing"), std::string::npos);
  EXPECT_NE(usage_error(R"({"base": "h100-sxm", "arch": "hopper"})").find("'arch'"),
            std::string::npos);
  EXPECT_NE(usage_error("[1, 2]").find("JSON object"), std::string::npos);
  EXPECT_NE(usage_error("{").find("not valid JSON"), std::string::npos);
}

TEST(TargetSpec, CommandLineUsesTheFile) {
  const std::string path = write_spec(
      "spec_fewer_sms.json", R"({"base": "h100-sxm", "key": "h100-half", "dram_gbps": 1675})");
  const auto r = run_cli("predict --shape 8192x8192 --json --target-spec " + path);
  ASSERT_EQ(r.exit_code, 0) << r.out;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["target"], "h100-half");
  EXPECT_EQ(j["dram_gbps"].get<double>(), 1675);
  // Half the bandwidth: a DRAM-bound fp16 GEMV takes longer than on the built-in target.
  const auto base =
      nlohmann::json::parse(run_cli("predict --shape 8192x8192 --json --target h100-sxm").out);
  EXPECT_GT(j["kernels"][0]["total_us"].get<double>(),
            1.5 * base["kernels"][0]["total_us"].get<double>());
}

TEST(TargetSpec, CommandLineBadFileExits2NamingTheField) {
  const std::string path =
      write_spec("spec_bad.json", R"({"base": "h100-sxm", "max_threads_per_sm": 0})");
  const auto r = run_cli("predict --target-spec " + path);
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(r.out.find("max_threads_per_sm"), std::string::npos) << r.out;
  const auto both = run_cli("predict --target h100-sxm --target-spec " + path);
  EXPECT_EQ(both.exit_code, 2) << both.out;
  const auto missing = run_cli("space --target-spec /nonexistent/gpu.json");
  EXPECT_EQ(missing.exit_code, 2) << missing.out;
}
