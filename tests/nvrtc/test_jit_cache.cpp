// The two-tier JIT cache with the real NVRTC: a second compiler object (as in a second process)
// finds the first one's kernel in SQLite; another arch is another entry; a compile error is cached
// with its log and answered without compiling again.
#include "jit/nvrtc_compiler.hpp"
#include "jit/sqlite_kernel_cache.hpp"
#include "kernels/lut_params.hpp"

#include <gtest/gtest.h>

#include <filesystem>
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
