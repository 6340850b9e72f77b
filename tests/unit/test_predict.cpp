// `lutgemm predict` end to end: JSON output that agrees with the model's own invariants, and bad
// input that exits 2 with one clear line.
#include "support/cli_run.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <string>

namespace {
// stdout and stderr together: the checks look for a message, not for its stream.
lutgemm::test::CliResult run_cli(const std::string& args) {
  return lutgemm::test::run_lutgemm(args, "", true);
}
} // namespace

TEST(Predict, JsonHasFloorFp16AndLutgemm) {
  const auto r =
      run_cli("predict --shape 28672x7168 --bits 4 --group 128 --target h100-sxm --json");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["target"], "h100-sxm");
  EXPECT_EQ(j["problem"], "28672x7168 b1 q4 g128");
  // Packed bytes by hand: bits + alpha + offsets (28672 is a multiple of the row padding).
  const double bytes = 28672.0 * 7168 * 4 / 8 + 28672.0 * 56 * 4 * 2 + 28672.0 * 56 * 2;
  EXPECT_DOUBLE_EQ(j["packed_weight_bytes"].get<double>(), bytes);
  EXPECT_NEAR(j["dram_floor_packed_us"].get<double>(), bytes / 3350e3, 1e-6);
  bool saw_fp16 = false, saw_lut = false;
  for (const auto& k : j["kernels"]) {
    const std::string name = k["kernel"];
    ASSERT_TRUE(k["launchable"].get<bool>()) << name;
    EXPECT_GE(k["total_us"].get<double>(), k["dram_floor_us"].get<double>()) << name;
    saw_fp16 |= name == "cuBLAS fp16 GEMV";
    saw_lut |= name.rfind("LUT-GEMM", 0) == 0;
  }
  EXPECT_TRUE(saw_fp16);
  EXPECT_TRUE(saw_lut);
}

TEST(Predict, TextNamesItsSource) {
  const auto r = run_cli("predict");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("not a measurement"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("DRAM floor"), std::string::npos);
}

TEST(Predict, BadInputExitsTwo) {
  for (const char* args : {"predict --target v100", "predict --shape 12x", "predict --bits 9",
                           "predict --group 48", "predict --k-tile 0"}) {
    const auto r = run_cli(args);
    EXPECT_EQ(r.exit_code, 2) << args << ": " << r.out;
    EXPECT_NE(r.out.find("error"), std::string::npos) << args << ": " << r.out;
  }
}
