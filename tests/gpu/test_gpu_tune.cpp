// On a real device: the cuda backend and its worker end to end, as a user runs them. `lutgemm tune
// --backend cuda` (the default isolated worker process) compiles a few variants for the device's
// arch, verifies each against the float64 reference and times it with CUDA events, next to the
// cuBLAS fp16 baseline, and stores measured rows. Without a device the test skips with the
// driver's one-line reason (CTest shows the binary as skipped). tests/CMakeLists.txt also runs this
// folder on the emulated CUDA driver (emudrv_gpu_*), so the test itself runs in CI.
#include "cuda/driver_api.hpp"
#include "support/cli_run.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>

using namespace lutgemm;

TEST(GpuTune, TheWorkerVerifiesAndTimesVariantsAndTheBaselineOnTheDevice) {
  if (!cuda::driver_status().ok())
    GTEST_SKIP() << cuda::driver_status().message;
  const auto db = test::fresh_path(test::work_dir("gpu_tune"), "tune") + ".db";
  const auto r = test::run_lutgemm(
      "tune --backend cuda --shape 512x256 --batch 1 --bits 3 --group 128 --strategy random "
      "--budget 3 --baselines cublas_fp16_acc32 --json --quiet --db '" +
      db + "'");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["problems"].size(), 1u) << r.out;
  const auto& p = j["problems"][0];
  EXPECT_GE(p["ok"].get<int>(), 1) << r.out << r.err;
  EXPECT_EQ(p["source"], "measured") << r.out;
  EXPECT_GT(p["best_us"].get<double>(), 0.0) << r.out;
  ASSERT_EQ(p["baselines"].size(), 1u) << r.out;
  EXPECT_EQ(p["baselines"][0]["disposition"], "ok") << r.out;
  // Every variant that was not filtered out before compiling was verified: none failed it.
  EXPECT_EQ(test::count_rows(db, "SELECT count(*) FROM measurements WHERE disposition IN "
                                 "('wrong_result', 'launch_error', 'timeout')"),
            0)
      << r.out << r.err;
  EXPECT_GE(test::count_rows(db, "SELECT count(*) FROM measurements WHERE disposition = 'ok' "
                                 "AND source = 'measured' AND median_us > 0 AND max_error IS NOT "
                                 "NULL"),
            2) // a variant and the baseline
      << r.out << r.err;
  std::filesystem::remove(db);
}
