// The JIT's SQLite tier on its own (no compiler): what one cache object stores, another (a new
// connection, as in a second process) finds, by the full key; failures keep their log.
#include "store/sqlite_kernel_cache.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <random>

using namespace lutgemm;

namespace {
std::string temp_db(const char* name) {
  auto path = std::filesystem::temp_directory_path() /
              (std::string(name) + "_" + std::to_string(std::random_device{}()) + ".db");
  std::filesystem::remove(path);
  return path.string();
}

std::shared_ptr<CompiledKernel> sample_kernel(const std::string& key) {
  auto k = std::make_shared<CompiledKernel>();
  k->spec = {"kernels/lutgemm.cuh", "lutgemm::lutgemm_kernel<3, 128>", {{"A", "1"}, {"B", ""}}};
  k->arch = "sm_90";
  k->key = key;
  k->lowered_name = "_Z6kernelv";
  std::mt19937 rng(7);
  for (int i = 0; i < 300; ++i)
    k->cubin.push_back(static_cast<char>(rng() & 0xff));
  k->cubin[0] = '\0'; // binary data with NUL bytes survives
  k->ptx = ".version 8.0";
  k->log = "ptxas info : Used 40 registers";
  k->resources.registers = 40;
  k->resources.static_smem_bytes = 16;
  k->resources.spill_store_bytes = 4;
  k->resources.spill_load_bytes = 8;
  k->resources.stack_frame_bytes = 24;
  k->resources.barriers = 1;
  k->compile_ms = 123.5;
  return k;
}
} // namespace

TEST(SqliteKernelCache, MissThenHitAcrossCacheObjects) {
  const auto path = temp_db("cache_hit");
  const std::string key = "nvrtc=13.0;arch=sm_90;opts=-O3;sources=abc;source=x";
  auto kernel = sample_kernel(key);
  {
    SqliteKernelCache cache(path);
    EXPECT_EQ(cache.lookup(key), nullptr);
    cache.insert(key, kernel);
    EXPECT_EQ(cache.size(), 1);
  }
  SqliteKernelCache again(path);
  auto found = again.lookup(key);
  ASSERT_NE(found, nullptr);
  EXPECT_EQ(found->cubin, kernel->cubin);
  EXPECT_EQ(found->spec, kernel->spec);
  EXPECT_EQ(found->lowered_name, kernel->lowered_name);
  EXPECT_EQ(found->ptx, kernel->ptx);
  EXPECT_EQ(found->resources, kernel->resources);
  EXPECT_EQ(found->key, key);
  EXPECT_DOUBLE_EQ(found->compile_ms, 123.5);
  // A different key (another arch) is another entry.
  EXPECT_EQ(again.lookup("nvrtc=13.0;arch=sm_80;opts=-O3;sources=abc;source=x"), nullptr);
  std::filesystem::remove(path);
}

TEST(SqliteKernelCache, FailuresAreStoredWithTheirLog) {
  const auto path = temp_db("cache_fail");
  KernelSpec spec{"kernels/lutgemm.cuh", "bad<9>", {}};
  {
    SqliteKernelCache cache(path);
    EXPECT_FALSE(cache.lookup_failure("k1"));
    cache.insert_failure("k1", spec, "sm_80", {"bad<9> does not compile: error", "line 1\nline 2"});
  }
  SqliteKernelCache again(path);
  EXPECT_EQ(again.lookup("k1"), nullptr); // a failure is not a kernel
  auto failure = again.lookup_failure("k1");
  ASSERT_TRUE(failure);
  EXPECT_EQ(failure->message, "bad<9> does not compile: error");
  EXPECT_EQ(failure->log, "line 1\nline 2");
  std::filesystem::remove(path);
}

TEST(SqliteKernelCache, SpecJsonRoundTrips) {
  KernelSpec spec{"kernels/optq.cuh", "optq::k<3, 1>", {{"X", "2"}, {"Y", ""}}};
  EXPECT_EQ(spec_from_json(spec_to_json(spec)), spec);
}
