// lutgemm_bench runs with a tiny minimum time and a filter, writes Google Benchmark JSON that
// parses, and without a driver (forced, so this means the same on a GPU machine) names the GPU
// benchmarks it skipped and why, on stderr.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/wait.h>

// tests/CMakeLists.txt defines LUTGEMM_BENCH_PATH only when lutgemm_bench is built (the sanitizer
// build turns the benchmark off); without it every test here skips with that reason.
#ifdef LUTGEMM_BENCH_PATH
#define LUTGEMM_REQUIRE_BENCH() (void)0
#else
#define LUTGEMM_BENCH_PATH ""
#define LUTGEMM_REQUIRE_BENCH()                                                                    \
  GTEST_SKIP() << "lutgemm_bench is not built (LUTGEMM_BUILD_BENCH=OFF)"
#endif

namespace {

struct Result {
  int exit_code = -1;
  std::string out, err;
};

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

const std::string kDir = LUTGEMM_TEST_BINARY_DIR;

Result run_bench(const std::string& args) {
  const std::string out = kDir + "/test_bench_binary.out", err = kDir + "/test_bench_binary.err";
  const std::string command = "LUTGEMM_CUDA_DRIVER=libcuda_lutgemm_test_missing.so.1 '" +
                              std::string(LUTGEMM_BENCH_PATH) + "' " + args + " >'" + out +
                              "' 2>'" + err + "'";
  const int status = std::system(command.c_str());
  Result r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = slurp(out);
  r.err = slurp(err);
  return r;
}

} // namespace

TEST(BenchBinary, HostBenchmarkWritesParseableJson) {
  LUTGEMM_REQUIRE_BENCH();
  const std::string json_path = kDir + "/test_bench_binary.json";
  std::remove(json_path.c_str());
  const Result r = run_bench("--benchmark_filter='^host/baseline_inputs/1024/1024$' "
                             "--benchmark_min_time=0.01 --benchmark_out_format=json "
                             "--benchmark_out='" +
                             json_path + "'");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto json = nlohmann::json::parse(slurp(json_path));
  ASSERT_TRUE(json.contains("context"));
  EXPECT_TRUE(json.at("context").contains("date"));
  const auto& benchmarks = json.at("benchmarks");
  ASSERT_EQ(benchmarks.size(), 1u) << json.dump(2);
  EXPECT_EQ(benchmarks[0].at("name"), "host/baseline_inputs/1024/1024");
  EXPECT_GT(benchmarks[0].at("real_time").get<double>(), 0.0);
  EXPECT_GE(benchmarks[0].at("iterations").get<long>(), 1);
  EXPECT_GT(benchmarks[0].at("items_per_second").get<double>(), 0.0);
  // The filter matched no GPU benchmark, so nothing is reported as skipped.
  EXPECT_EQ(r.err.find("skipped"), std::string::npos) << r.err;
}

TEST(BenchBinary, GpuBenchmarksAreSkippedWithTheReasonAndStdoutStaysJson) {
  LUTGEMM_REQUIRE_BENCH();
  const Result r = run_bench("--benchmark_filter='gpu/cublas_fp16_acc16/llama7b_attn_q/fp/b1|"
                             "^host/baseline_inputs/1024/1024$' --benchmark_min_time=0.01 "
                             "--benchmark_format=json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("lutgemm_bench: skipped 1 GPU benchmark: no CUDA driver "
                       "(libcuda_lutgemm_test_missing.so.1 not found)"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("  skipped gpu/cublas_fp16_acc16/llama7b_attn_q/fp/b1\n"), std::string::npos)
      << r.err;
  // The skip report went to stderr: stdout is the JSON of the host benchmark that did run.
  const auto json = nlohmann::json::parse(r.out);
  ASSERT_EQ(json.at("benchmarks").size(), 1u);
  EXPECT_EQ(json.at("benchmarks")[0].at("name"), "host/baseline_inputs/1024/1024");
}

TEST(BenchBinary, EveryGpuFamilyIsDeclared) {
  LUTGEMM_REQUIRE_BENCH();
  const Result r = run_bench("--benchmark_filter='^gpu/' --benchmark_min_time=0.01 "
                             "--benchmark_format=json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* family : {"cublas_fp16_acc16", "cublas_fp16_acc32", "cublaslt_fp16_tuned",
                             "cublas_fp32", "cublas_int8"})
    EXPECT_NE(r.err.find(std::string("skipped gpu/") + family + "/opt175b_fc1/fp/b1"),
              std::string::npos)
        << family;
}
