// The store's read-only view for `lutgemm report` and `export`: devices with their target, the
// latest verified result per (problem, variant), failures and emulator wall times left out, and
// files that are not lutgemm databases refused.
#include "common/error.hpp"
#include "report/result_queries.hpp"
#include "store/store.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>

using namespace lutgemm;

namespace {
std::string temp_path(const char* name) {
  auto path = std::filesystem::temp_directory_path() /
              (std::string(name) + "_" + std::to_string(std::random_device{}()) + ".db");
  std::filesystem::remove(path);
  return path.string();
}
} // namespace

TEST(ReportQueries, LatestVerifiedResultPerVariant) {
  const auto path = temp_path("report_queries");
  std::mt19937 rng(3);
  std::uniform_real_distribution<double> time(5.0, 50.0);
  const double t1 = time(rng), t2 = time(rng), t3 = time(rng);
  const Problem problem{.m = 4096, .k = 4096, .batch = 1, .bits = 3, .group = 128};
  {
    auto store = store::Store::open(path);
    store::DeviceRecord device;
    device.key = "model:h100-sxm";
    device.name = "emu (model: h100-sxm)";
    device.backend = "emu";
    device.arch = "sm_90";
    const auto device_id = store.device_id(device);
    const auto problem_id = store.problem_id(problem);
    const auto a = store.variant_id("lutgemm", "lut_a", R"({"mu":8,"accum":"f32"})");
    const auto b = store.variant_id("lutgemm", "lut_b", R"({"mu":4})");
    const auto c = store.variant_id("lutgemm", "lut_c", R"({"mu":4})");
    store::RunInfo info;
    info.command_line = "test";
    info.git_sha = "abc123";
    info.toolkit_version = "13.0";
    info.driver_version = "none";
    info.backend = "emu";
    info.strategy = "exhaustive";
    info.device_id = device_id;
    for (int run = 0; run < 2; ++run) {
      const auto run_id = store.begin_run(info);
      auto rec = [&](std::int64_t variant, Disposition d, std::optional<double> us) {
        store::MeasurementRecord r;
        r.run_id = run_id;
        r.device_id = device_id;
        r.problem_id = problem_id;
        r.variant_id = variant;
        r.disposition = d;
        r.source = TimeSource::modelled;
        r.median_us = us;
        store.record(r);
      };
      rec(a, Disposition::ok, run == 0 ? t1 : t2); // the second run's time wins
      if (run == 0) {
        rec(b, Disposition::wrong_result, std::nullopt);
        rec(c, Disposition::ok, t3);
      }
      store.end_run(run_id, store::RunStatus::completed);
    }
  }
  auto queries = report::open_result_database(path);
  auto devices = queries->devices();
  ASSERT_EQ(devices.size(), 1u);
  EXPECT_EQ(devices[0].name, "emu (model: h100-sxm)");
  EXPECT_EQ(devices[0].target_key, "h100-sxm");
  EXPECT_EQ(devices[0].driver_version, "");
  EXPECT_EQ(devices[0].cuda_version, "13.0");
  auto rows = queries->results("emu (model: h100-sxm)");
  ASSERT_EQ(rows.size(), 2u); // lut_b failed: not a result
  EXPECT_EQ(rows[0].variant_label, "lut_a");
  EXPECT_DOUBLE_EQ(rows[0].median_us, t2);
  EXPECT_EQ(rows[0].run_id, 2);
  EXPECT_EQ(rows[0].problem, problem);
  EXPECT_EQ(rows[0].source, report::TimeSource::modelled);
  EXPECT_EQ(rows[0].git_sha, "abc123");
  ASSERT_EQ(rows[0].params.size(), 1u); // integer parameters only
  EXPECT_EQ(rows[0].params[0].first, "mu");
  EXPECT_EQ(rows[1].variant_label, "lut_c");
  EXPECT_DOUBLE_EQ(rows[1].median_us, t3);
  EXPECT_TRUE(queries->results("another device").empty());
  std::filesystem::remove(path);
}

TEST(ReportQueries, RefusesMissingAndForeignFiles) {
  EXPECT_THROW(report::open_result_database(temp_path("missing")), UsageError);
  const auto text = temp_path("text");
  std::ofstream(text) << "not a database";
  EXPECT_THROW(report::open_result_database(text), UsageError);
  std::filesystem::remove(text);
}
