// `lutgemm tune --backend cuda`, unchanged, end to end on the emulated CUDA driver: NVRTC compiles
// each variant, the driver runs its CUBIN's kernel in the host emulator, the worker process
// verifies and times it with events (wall-clock of the emulator: no GPU figure), the database
// keeps it. Tiny problems and two variants, so each test takes seconds.
#include "emudrv_cli.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

using namespace emudrv;

namespace {

// Two variants (accumulation f32 and f16) of one tile that fits 256x256 without spilling.
const std::string kTwoVariants =
    "tune --backend cuda --shape 256x256 --bits 3 --group 128 --baselines none --quiet "
    "--param mu=8 --param rows_per_thread=4 --param threads=128 --param k_tile=256 "
    "--param load_bits=128 --param accum=f32,f16 --param table=full --param batch_cols=1 "
    "--param split=1 --param combine=none --param copies=1 --param build=direct";

// A T4's 4 MiB L2 needs ten times fewer cold-weight copies than an A100's 40 MiB: a faster test.
const std::string kT4 = "LUTGEMM_EMUCUDA_TARGET=t4 ";

long long rows(const std::string& db, const std::string& where) {
  return count_rows(db, "SELECT count(*) FROM measurements WHERE " + where);
}

} // namespace

TEST(EmuDriverTune, DevicesNameTheEmulatedDeviceAndItsWallClockTimes) {
  const auto r = run("devices");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("NVIDIA A100 80GB SXM (emulated on the host CPU; event times are "
                       "wall-clock)"),
            std::string::npos)
      << r.out;
  const auto h100 = run("devices", "LUTGEMM_EMUCUDA_TARGET=h100-sxm");
  EXPECT_NE(h100.out.find("sm_90"), std::string::npos) << h100.out;
}

TEST(EmuDriverTune, StickyFaultRestartsTheWorkerAndTheNextVariantIsOkThenResume) {
  const auto db = fresh_path("fault") + ".db";
  const auto marker = fresh_path("fault_marker");
  // The first launch of the sweep faults (sticky ILLEGAL_ADDRESS); the marker makes it the only one
  // across worker processes.
  const auto r =
      run(kTwoVariants + " --db '" + db + "'",
          kT4 + "LUTGEMM_EMUCUDA_FAULT_LAUNCH=1 LUTGEMM_EMUCUDA_FAULT_MARKER='" + marker + "'");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(std::filesystem::exists(marker)) << "the fault was never injected";
  EXPECT_EQ(rows(db, "1"), 2) << r.out << r.err;
  EXPECT_EQ(rows(db, "disposition = 'launch_error' AND message LIKE '%ILLEGAL_ADDRESS%'"), 1)
      << r.out << r.err;
  EXPECT_EQ(rows(db, "disposition = 'ok' AND median_us > 0"), 1) << r.out << r.err;
  EXPECT_NE(r.out.find("emulated"), std::string::npos) << r.out;

  // The same command again resumes: nothing is left to do, nothing is measured twice.
  const auto again = run(kTwoVariants + " --db '" + db + "'", kT4);
  ASSERT_EQ(again.exit_code, 0) << again.out << again.err;
  EXPECT_EQ(rows(db, "1"), 2) << again.out << again.err;
  EXPECT_EQ(rows(db, "disposition = 'ok'"), 1);
  std::filesystem::remove(db);
  std::filesystem::remove(marker);
}

TEST(EmuDriverTune, ExclusiveProcessModeIsRefusedClearly) {
  const auto db = fresh_path("exclusive") + ".db";
  const auto lock = fresh_path("exclusive_lock");
  const std::string env = "LUTGEMM_EMUCUDA_EXCLUSIVE=1 LUTGEMM_EMUCUDA_LOCK='" + lock + "'";
  // With a worker process (the default), the pre-flight check refuses before any variant runs.
  const auto isolated = run(kTwoVariants + " --db '" + db + "'", env);
  EXPECT_EQ(isolated.exit_code, 2) << isolated.out << isolated.err;
  EXPECT_NE(isolated.err.find("EXCLUSIVE_PROCESS"), std::string::npos) << isolated.err;
  EXPECT_NE(isolated.err.find("--no-isolate"), std::string::npos) << isolated.err;
  EXPECT_LE(rows(db, "1"), 0);

  // Another process holding the device: the driver refuses the context, and tune says so.
  const int fd = open(lock.c_str(), O_RDWR | O_CREAT, 0600);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(flock(fd, LOCK_EX | LOCK_NB), 0);
  const auto busy = run(kTwoVariants + " --no-isolate --db '" + db + "'", env);
  close(fd);
  EXPECT_NE(busy.exit_code, 0) << busy.out << busy.err;
  EXPECT_NE(busy.err.find("CUDA_ERROR_DEVICE_UNAVAILABLE"), std::string::npos) << busy.err;
  EXPECT_LE(rows(db, "disposition = 'ok'"), 0);
  std::filesystem::remove(db);
  std::filesystem::remove(lock);
}

// `tune --devices` on the cuda backend: an ordinal past the node's devices is refused before any
// database exists; `--devices 0` runs one worker, then this process re-tests the leaders: the
// re-measured rows are exactly the leaders the summary names (when more than one), and the
// parent's run sweeps nothing.
TEST(EmuDriverTune, DevicesWorkersThenOneLeaderRetest) {
  const auto bad = fresh_path("devices_bad") + ".db";
  const auto refused = run(kTwoVariants + " --devices 0,1 --db '" + bad + "'", kT4);
  EXPECT_EQ(refused.exit_code, 2) << refused.err;
  EXPECT_NE(refused.err.find("device 1 does not exist"), std::string::npos) << refused.err;
  EXPECT_FALSE(std::filesystem::exists(bad));

  const auto db = fresh_path("devices") + ".db";
  const auto r = run(kTwoVariants + " --devices 0 --json --db '" + db + "'", kT4);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["problems"].size(), 1u) << r.out;
  const auto& p = j["problems"][0];
  EXPECT_EQ(p["evaluated"], 2) << r.out;
  const auto leaders = p["leaders"].size();
  ASSERT_GE(leaders, 1u) << r.out;
  bool best_is_a_leader = false;
  for (const auto& label : p["leaders"])
    best_is_a_leader = best_is_a_leader || label == p["best_variant"];
  EXPECT_TRUE(best_is_a_leader) << r.out;
  EXPECT_EQ(p["leaders_remeasured"].get<std::size_t>(), leaders > 1 ? leaders : 0) << r.out;
  EXPECT_EQ(rows(db, "phase = 'remeasure'"), static_cast<long long>(leaders > 1 ? leaders : 0));
  EXPECT_EQ(rows(db, "phase = 'sweep'"), 2);
  EXPECT_EQ(rows(db, "phase = 'sweep' AND run_id IN (SELECT id FROM runs WHERE command_line LIKE "
                     "'%--devices 0 %')"),
            0);
  std::filesystem::remove(db);
}

// The baselines inside a tune: the OPTQ fused GEMV (the provider compiles the OPTQ family's
// shipped variant, the emulated driver runs it), dequantize-then-GEMM and cuBLAS fp16 (on the
// emulated driver's cuBLAS stand-in) are timed with the tuner's rules and verified against the
// float64 reference (of the packed layer for OPTQ); cuBLASLt has no stand-in and is a
// launch_error with its one line.
TEST(EmuDriverTune, BaselinesAreTimedAndVerifiedInATune) {
  const auto db = fresh_path("optq") + ".db";
  // One LUT-GEMM variant (the baselines are what is tested), q4 for the OPTQ kernels.
  std::string tune = kTwoVariants + " --db '" + db + "'";
  tune.replace(tune.find("--bits 3"), 8, "--bits 4");
  tune.replace(tune.find("--shape 256x256"), 15, "--shape 256x512");
  tune.replace(tune.find("accum=f32,f16"), 13, "accum=f32");
  tune.replace(
      tune.find("--baselines none"), 16,
      "--baselines optq_fused_gemv,optq_dequant_gemm,cublas_fp16_acc32,cublaslt_fp16_tuned");
  const auto r = run(tune, kT4);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const std::string of = "variant_id IN (SELECT id FROM variants WHERE family = ";
  for (const char* verified : {"optq_fused_gemv", "optq_dequant_gemm", "cublas_fp16_acc32"})
    EXPECT_EQ(rows(db, of + "'" + verified +
                           "') AND disposition = 'ok' AND median_us > 0 AND max_error IS NOT NULL"),
              1)
        << verified << "\n"
        << r.out << r.err;
  EXPECT_EQ(rows(db, of + "'cublaslt_fp16_tuned') AND disposition = 'launch_error' AND "
                          "message LIKE '%cuBLASLt cannot run on the emulated CUDA device%'"),
            1)
      << r.out << r.err;
  std::filesystem::remove(db);
}
