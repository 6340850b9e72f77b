// lutgemm_bench's GPU benchmarks on the emulated CUDA driver: a cuBLAS baseline (on the driver's
// cuBLAS stand-in) is timed with CUDA events, and one that cannot run there (cuBLASLt) is reported
// as that benchmark's error while the run goes on and exits 0: a provider that throws on a device
// must not end the whole benchmark run. The times are the emulator's wall clock, not GPU figures.
#include "support/cli_run.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <string>

#ifndef LUTGEMM_BENCH_PATH // tests/CMakeLists.txt defines it where lutgemm_bench is built
#define LUTGEMM_BENCH_PATH ""
#endif

TEST(EmuDriverBench, AFailingGpuBenchmarkIsSkippedWithItsReasonAndTheRunGoesOn) {
  if (std::string(LUTGEMM_BENCH_PATH).empty())
    GTEST_SKIP() << "lutgemm_bench is not built (LUTGEMM_BUILD_BENCH=OFF)";
  const auto r = lutgemm::test::run_command(
      std::string("LUTGEMM_CUDA_DRIVER='") + LUTGEMM_EMU_DRIVER_PATH +
      "' LUTGEMM_EMUCUDA_TARGET=t4 LUTGEMM_EMUCUDA_THREADS=1 '" + LUTGEMM_BENCH_PATH +
      "' --benchmark_filter='gpu/(cublaslt_fp16_tuned|cublas_fp16_acc32)/llama7b_attn_q/fp/b1' "
      "--benchmark_min_time=0.01 --benchmark_format=json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto json = nlohmann::json::parse(r.out);
  const auto& benchmarks = json.at("benchmarks");
  ASSERT_EQ(benchmarks.size(), 2u) << json.dump(2);
  int timed = 0, failed = 0;
  for (const auto& b : benchmarks) {
    const std::string name = b.at("name");
    if (name.find("cublaslt") != std::string::npos) {
      EXPECT_TRUE(b.value("error_occurred", false)) << b.dump();
      EXPECT_NE(b.value("error_message", std::string()).find("cuBLASLt cannot run"),
                std::string::npos)
          << b.dump();
      ++failed;
    } else {
      EXPECT_FALSE(b.value("error_occurred", false)) << b.dump();
      EXPECT_GT(b.at("real_time").get<double>(), 0.0) << b.dump();
      EXPECT_NE(b.value("label", std::string()).find("cublasGemmEx"), std::string::npos)
          << b.dump();
      ++timed;
    }
  }
  EXPECT_EQ(timed, 1);
  EXPECT_EQ(failed, 1);
}
