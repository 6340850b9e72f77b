// The emulator's disk cache (a second load of a variant compiles nothing: checked on the file
// itself), the cache location, compile errors, and the dynamic shared-memory rewrite.
#include "emu/host_compiler.hpp"
#include "emu_test_util.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace emu_test;
namespace fs = std::filesystem;
using lutgemm::emu::ErrorKind;
using lutgemm::emu::load_kernel;

namespace {

// Sets an environment variable for the scope of a test.
class ScopedEnv {
public:
  ScopedEnv(const char* name, const std::string& value) : name_(name) {
    if (const char* old = std::getenv(name))
      old_ = old;
    ::setenv(name, value.c_str(), 1);
  }
  ~ScopedEnv() {
    if (old_)
      ::setenv(name_, old_->c_str(), 1);
    else
      ::unsetenv(name_);
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

private:
  const char* name_;
  std::optional<std::string> old_;
};

std::string fresh_dir(const char* tag) {
  std::string pattern =
      (fs::temp_directory_path() / (std::string("lutgemm-emu-") + tag + "-XXXXXX"));
  if (::mkdtemp(pattern.data()) == nullptr)
    throw std::runtime_error("mkdtemp failed");
  return pattern;
}

} // namespace

TEST(EmuCache, SecondLoadIsACacheHitAndDoesNotRecompile) {
  const std::string dir = fresh_dir("cache");
  {
    ScopedEnv env("LUTGEMM_CACHE_DIR", dir);
    auto first = load_kernel(correct("axpy_2d_kernel"));
    EXPECT_FALSE(first->cache_hit());
    EXPECT_GT(first->compile_ms(), 0.0);
    const std::string path = first->library_path();
    ASSERT_TRUE(fs::exists(path)) << path;
    EXPECT_EQ(path.rfind(dir + "/emu/", 0), 0u) << path;
    struct stat before {};
    ASSERT_EQ(::stat(path.c_str(), &before), 0);

    auto second = load_kernel(correct("axpy_2d_kernel"));
    EXPECT_TRUE(second->cache_hit());
    EXPECT_EQ(second->compile_ms(), 0.0);
    EXPECT_EQ(second->library_path(), path);
    struct stat after {};
    ASSERT_EQ(::stat(path.c_str(), &after), 0);
    EXPECT_EQ(after.st_ino, before.st_ino);
    EXPECT_EQ(after.st_mtim.tv_sec, before.st_mtim.tv_sec);
    EXPECT_EQ(after.st_mtim.tv_nsec, before.st_mtim.tv_nsec);

    // The cached library runs.
    const std::vector<float> x = random_floats(64, 21), y = random_floats(64, 22);
    auto dx = to_device(x), dy = to_device(y);
    lutgemm::emu::DeviceBuffer dout(64 * sizeof(float));
    float a = -0.5f;
    void* p[] = {dx.data(), dy.data(), dout.data()};
    int rows = 8, cols = 8;
    void* args[] = {&a, &p[0], &p[1], &p[2], &rows, &cols};
    lutgemm::emu::launch(*second, config({1, 1, 1}, {8, 8, 1}), args);
    const auto out = to_host<float>(dout);
    for (int i = 0; i < 64; ++i)
      ASSERT_FLOAT_EQ(out[i], std::fma(a, x[i], y[i]));

    // Another variant (a define) is another library.
    auto spec = correct("axpy_2d_kernel");
    spec.defines.emplace_back("EMU_TEST_VARIANT", "2");
    auto other = load_kernel(spec);
    EXPECT_FALSE(other->cache_hit());
    EXPECT_NE(other->library_path(), path);
  }
  fs::remove_all(dir);
}

TEST(EmuCache, LocationFollowsXdg) {
  {
    ScopedEnv cache("LUTGEMM_CACHE_DIR", "/somewhere");
    EXPECT_EQ(lutgemm::emu::cache_dir(), "/somewhere/emu");
  }
  ScopedEnv cache("LUTGEMM_CACHE_DIR", "");
  {
    ScopedEnv xdg("XDG_CACHE_HOME", "/xdg");
    EXPECT_EQ(lutgemm::emu::cache_dir(), "/xdg/lutgemm/emu");
  }
  ScopedEnv xdg("XDG_CACHE_HOME", "");
  ScopedEnv home("HOME", "/home/someone");
  EXPECT_EQ(lutgemm::emu::cache_dir(), "/home/someone/.cache/lutgemm/emu");
}

TEST(EmuCache, CompileErrorKeepsTheLog) {
  const std::string msg =
      expect_error(ErrorKind::compile_error, [] { load_kernel(correct("no_such_kernel")); });
  EXPECT_NE(msg.find("no_such_kernel"), std::string::npos) << msg;
  try {
    load_kernel(correct("no_such_kernel"));
  } catch (const lutgemm::emu::EmuError& e) {
    EXPECT_NE(e.log().find("error"), std::string::npos) << e.log();
  }
}

TEST(EmuCache, DynamicSharedRewrite) {
  using lutgemm::emu::detail::rewrite_dynamic_shared;
  EXPECT_EQ(
      rewrite_dynamic_shared("  extern __shared__ float lutgemm_smem[];\n"),
      "  auto& lutgemm_smem = *reinterpret_cast<float(*)[]>(::lutgemm_emu::dynamic_smem());\n");
  EXPECT_EQ(rewrite_dynamic_shared("extern __shared__ __align__(16) unsigned char buf[ ];"),
            "auto& buf = *reinterpret_cast<unsigned char(*)[]>(::lutgemm_emu::dynamic_smem());");
  EXPECT_EQ(rewrite_dynamic_shared("__shared__ float tile[4][5];"), "__shared__ float tile[4][5];");
}

TEST(EmuCache, EmulatorInfo) {
  const auto info = lutgemm::emu::emulator_info();
  EXPECT_EQ(info.name, "host SIMT emulator");
  EXPECT_FALSE(info.compiler.empty());
  EXPECT_GE(info.threads, 1u);
  EXPECT_EQ(info.smem_limit_bytes, 48u * 1024);
  EXPECT_EQ(info.smem_optin_bytes, 227u * 1024);
}

TEST(EmuCache, HostCompilerKilledFromOutsideIsInterruptedNotACompileError) {
  // The host compiler (a child process) is SIGKILLed mid-compile, as the OOM killer or a user
  // would: that says nothing about the kernel, so it is interrupted (stored retryable), and the
  // same kernel compiles with the real compiler afterwards.
  const std::string dir = fresh_dir("killedcxx");
  const std::string cxx = dir + "/killed-cxx";
  {
    std::FILE* f = std::fopen(cxx.c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fputs("#!/bin/sh\ncase \"$1\" in --version) echo 'killed-cxx 1.0';; *) kill -KILL $$;; "
               "esac\n",
               f);
    std::fclose(f);
    fs::permissions(cxx, fs::perms::owner_all);
  }
  {
    ScopedEnv cache("LUTGEMM_CACHE_DIR", dir);
    ScopedEnv compiler("LUTGEMM_EMU_CXX", cxx);
    const std::string msg =
        expect_error(ErrorKind::interrupted, [] { load_kernel(correct("axpy_2d_kernel")); });
    EXPECT_NE(msg.find("signal 9"), std::string::npos) << msg;
    EXPECT_NE(msg.find("retryable"), std::string::npos) << msg;
  }
  fs::remove_all(dir);
}

TEST(EmuCache, TemporariesOfADeadCompileAreRemovedLiveOnesKept) {
  // A compile killed mid-way leaves "<hash>.so.tmp.<pid>.<rand>": removed once its pid is gone.
  const std::string dir = fresh_dir("stale");
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0)
    ::_exit(0);
  int status = 0;
  ::waitpid(child, &status, 0); // now a pid of no running process
  const std::string dead = dir + "/0123456789abcdef.so.tmp." + std::to_string(child) + ".1f2e";
  const std::string dead_object = dead + ".o";
  const std::string live = dir + "/0123456789abcdef.so.tmp." + std::to_string(::getpid()) + ".3d";
  const std::string library = dir + "/0123456789abcdef.so";
  for (const auto& path : {dead, dead_object, live, library})
    std::ofstream(path) << "x";
  EXPECT_EQ(lutgemm::emu::detail::remove_stale_temporaries(dir), 2);
  EXPECT_FALSE(fs::exists(dead));
  EXPECT_FALSE(fs::exists(dead_object));
  EXPECT_TRUE(fs::exists(live));
  EXPECT_TRUE(fs::exists(library));
  fs::remove_all(dir);
}
