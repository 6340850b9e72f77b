// The two-tier JIT cache with the real NVRTC: a second compiler object (as in a second process)
// finds the first one's kernel in SQLite; another arch is another entry; a compile error is cached
// with its log and answered without compiling again.
#include "jit/nvrtc_compiler.hpp"
#include "kernels/lut_params.hpp"
#include "store/sqlite_kernel_cache.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>

using namespace lutgemm;

namespace {
std::string temp_db() {
  auto path = std::filesystem::temp_directory_path() /
              ("jit_cache_" + std::to_string(std::random_device{}()) + ".db");
  std::filesystem::remove(path);
  return path.string();
}

NvrtcCompiler two_tier(const std::string& path) {
  return NvrtcCompiler(
      {std::make_shared<MemoryKernelCache>(), std::make_shared<SqliteKernelCache>(path)});
}
} // namespace

TEST(JitCache, SecondCompilerHitsTheSqliteTier) {
  const auto path = temp_db();
  const KernelSpec spec = zero_f32_spec();
  bool hit = true;
  auto first = two_tier(path).compile(spec, "sm_80", &hit);
  EXPECT_FALSE(hit);
  ASSERT_FALSE(first->cubin.empty());
  auto second_compiler = two_tier(path);
  auto second = second_compiler.compile(spec, "sm_80", &hit);
  EXPECT_TRUE(hit);
  EXPECT_EQ(second->cubin, first->cubin);
  EXPECT_EQ(second->resources, first->resources);
  EXPECT_EQ(second->lowered_name, first->lowered_name);
  // Another arch: another key, compiled.
  second_compiler.compile(spec, "sm_90", &hit);
  EXPECT_FALSE(hit);
  EXPECT_EQ(SqliteKernelCache(path).size(), 2);
  std::filesystem::remove(path);
}

TEST(JitCache, CompileErrorsAreCachedWithTheLog) {
  const auto path = temp_db();
  KernelSpec bad{"kernels/lutgemm.cuh",
                 "lutgemm::lutgemm_kernel<9, 128, true, 8, 4, 256, 128, 128, true, true, 1, 0>",
                 {}};
  bool hit = true;
  std::string first_log;
  try {
    two_tier(path).compile(bad, "sm_80", &hit);
    FAIL() << "q = 9 must not compile";
  } catch (const CompileError& e) {
    EXPECT_FALSE(hit);
    first_log = e.log();
  }
  EXPECT_FALSE(first_log.empty());
  try {
    two_tier(path).compile(bad, "sm_80", &hit);
    FAIL() << "the cached failure must be reported";
  } catch (const CompileError& e) {
    EXPECT_TRUE(hit);
    EXPECT_EQ(e.log(), first_log);
  }
  std::filesystem::remove(path);
}

namespace {
std::string run_cli(const std::string& args, int& exit_code) {
  const std::string out = std::string(LUTGEMM_TEST_BINARY_DIR) + "/test_jit_cache_cli.out";
  const int status = std::system(
      ("'" + std::string(LUTGEMM_CLI_PATH) + "' " + args + " >'" + out + "' 2>/dev/null").c_str());
  exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream in(out);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}
} // namespace

TEST(JitCache, CompileCommandMissesThenHitsAcrossProcesses) {
  const auto path = temp_db();
  const std::string args = "compile --arch sm_90 --small --limit 2 --jobs 2 --json --db " + path;
  int code = -1;
  auto first = nlohmann::json::parse(run_cli(args, code));
  ASSERT_EQ(code, 0);
  EXPECT_EQ(first["misses"], 2);
  EXPECT_EQ(first["hits"], 0);
  ASSERT_EQ(first["variants"].size(), 2u);
  for (const auto& v : first["variants"]) {
    EXPECT_TRUE(v["ok"].get<bool>());
    EXPECT_GT(v["registers"].get<int>(), 0);
    EXPECT_GT(v["compile_ms"].get<double>(), 0.0);
  }
  auto second = nlohmann::json::parse(run_cli(args, code));
  ASSERT_EQ(code, 0);
  EXPECT_EQ(second["hits"], 2);
  EXPECT_EQ(second["misses"], 0);
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(second["variants"][i]["registers"], first["variants"][i]["registers"]);
    EXPECT_EQ(second["variants"][i]["cache_hit"], true);
  }
  std::filesystem::remove(path);
}
