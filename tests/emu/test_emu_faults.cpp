// Broken kernels: each is reported with the right diagnosis (kind, kernel, block, thread, address
// where it applies) and none hangs. Also launch configurations the driver would reject.
#include "emu_test_util.hpp"

#include <atomic>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <unistd.h>

using namespace emu_test;
using lutgemm::emu::DeviceBuffer;
using lutgemm::emu::ErrorKind;
using lutgemm::emu::launch;
using lutgemm::emu::LaunchOptions;
using lutgemm::emu::load_kernel;

namespace {
bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}
} // namespace

TEST(EmuFaults, OutOfBoundsByOneElement) {
  const int n = 256; // 2 blocks of 128, plus one thread too many in a third block
  DeviceBuffer out(n * sizeof(float));
  auto kernel = load_kernel(broken("oob_by_one_kernel"));
  void* p = out.data();
  void* args[] = {&p};
  // Blocks of 129: block 1 thread 127 writes out[256], the first float past the end.
  const std::string msg = expect_error(ErrorKind::out_of_bounds, [&] {
    launch(*kernel, config({2, 1, 1}, {129, 1, 1}), args, LaunchOptions{.worker_threads = 1});
  });
  EXPECT_TRUE(contains(msg, "oob_by_one_kernel")) << msg;
  EXPECT_TRUE(contains(msg, "block (1,0,0) thread (127,0,0)")) << msg;
  EXPECT_TRUE(contains(msg, "write")) << msg;
  EXPECT_TRUE(contains(msg, "0 bytes past the end of a 1024-byte device buffer")) << msg;
  // The process survived: a correct launch still works afterwards.
  launch(*kernel, config({2, 1, 1}, {128, 1, 1}), args);
  EXPECT_EQ(to_host<float>(out)[255], 255.0f);
}

TEST(EmuFaults, BarrierInDivergentBranch) {
  DeviceBuffer out(128 * sizeof(float));
  auto kernel = load_kernel(broken("divergent_barrier_kernel"));
  void* p = out.data();
  void* args[] = {&p};
  const std::string msg = expect_error(ErrorKind::barrier_divergence, [&] {
    launch(*kernel, config({3, 1, 1}, {128, 1, 1}), args);
  });
  EXPECT_TRUE(contains(msg, "divergent_barrier_kernel")) << msg;
  EXPECT_TRUE(contains(msg, "emu_broken.cuh:")) << msg;
  EXPECT_TRUE(contains(msg, "exited")) << msg;
}

TEST(EmuFaults, ThreadsAtDifferentBarriers) {
  DeviceBuffer out(64 * sizeof(float));
  auto kernel = load_kernel(broken("split_barrier_kernel"));
  void* p = out.data();
  void* args[] = {&p};
  const std::string msg = expect_error(ErrorKind::barrier_divergence, [&] {
    launch(*kernel, config({1, 1, 1}, {64, 1, 1}), args);
  });
  EXPECT_TRUE(contains(msg, "block (0,0,0) thread (1,0,0)")) << msg;
  EXPECT_TRUE(contains(msg, "while thread (0,0,0) waits")) << msg;
}

TEST(EmuFaults, DeadlockBetweenBarrierAndShuffle) {
  DeviceBuffer out(64 * sizeof(float));
  auto kernel = load_kernel(broken("deadlock_kernel"));
  void* p = out.data();
  void* args[] = {&p};
  const auto start = std::chrono::steady_clock::now();
  const std::string msg = expect_error(ErrorKind::deadlock, [&] {
    launch(*kernel, config({2, 1, 1}, {64, 1, 1}), args);
  });
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  EXPECT_TRUE(contains(msg, "48 wait at __syncthreads()")) << msg;
  EXPECT_TRUE(contains(msg, "16 wait in a warp operation")) << msg;
}

TEST(EmuFaults, MissingBarrierRaceStatic) {
  const auto in = random_floats(256, 11);
  DeviceBuffer d_in = to_device(in), d_out(256 * sizeof(float));
  auto kernel = load_kernel(broken("missing_barrier_kernel"));
  void* p[] = {d_in.data(), d_out.data()};
  void* args[] = {&p[0], &p[1]};
  LaunchOptions options;
  options.race_check = true;
  const std::string msg = expect_error(ErrorKind::shared_race, [&] {
    launch(*kernel, config({2, 1, 1}, {256, 1, 1}), args, options);
  });
  EXPECT_TRUE(contains(msg, "missing_barrier_kernel")) << msg;
  EXPECT_TRUE(contains(msg, "static shared memory")) << msg;
  // Without the check the kernel runs (the race is silent, as on a GPU).
  launch(*kernel, config({2, 1, 1}, {256, 1, 1}), args);
}

TEST(EmuFaults, MissingBarrierRaceDynamic) {
  const auto in = random_floats(128, 12);
  DeviceBuffer d_in = to_device(in), d_out(128 * sizeof(float));
  auto kernel = load_kernel(broken("missing_barrier_dynamic_kernel"));
  void* p[] = {d_in.data(), d_out.data()};
  void* args[] = {&p[0], &p[1]};
  LaunchOptions options;
  options.race_check = true;
  const std::string msg = expect_error(ErrorKind::shared_race, [&] {
    launch(*kernel, config({1, 1, 1}, {128, 1, 1}, 128 * sizeof(float)), args, options);
  });
  EXPECT_TRUE(contains(msg, "dynamic shared memory")) << msg;
  EXPECT_TRUE(contains(msg, "thread (")) << msg;
}

TEST(EmuFaults, NoRaceWithTheBarrier) {
  const auto in = random_floats(256, 13);
  DeviceBuffer d_in = to_device(in), d_out(256 * sizeof(float));
  auto kernel = load_kernel(broken("with_barrier_kernel"));
  void* p[] = {d_in.data(), d_out.data()};
  void* args[] = {&p[0], &p[1]};
  LaunchOptions options;
  options.race_check = true;
  launch(*kernel, config({2, 1, 1}, {256, 1, 1}), args, options);
  const auto out = to_host<float>(d_out);
  for (int i = 0; i < 256; ++i)
    ASSERT_EQ(out[i], in[(i + 1) % 256]);
}

TEST(EmuFaults, RaceCheckPassesCorrectSharedKernels) {
  // The warp-shuffle reduction and the transpose touch shared memory only between barriers.
  const auto in = random_floats(512, 14);
  DeviceBuffer d_in = to_device(in), d_out(2 * sizeof(float));
  auto kernel = load_kernel(correct("block_reduce_kernel"));
  void* p[] = {d_in.data(), d_out.data()};
  int n = 512;
  void* args[] = {&p[0], &p[1], &n};
  LaunchOptions options;
  options.race_check = true;
  launch(*kernel, config({2, 1, 1}, {256, 1, 1}), args, options);
  double expect = 0;
  for (int i = 0; i < 256; ++i)
    expect += in[i];
  EXPECT_NEAR(to_host<float>(d_out)[0], expect, 1e-4);
}

TEST(EmuFaults, SpinningKernelTimesOut) {
  DeviceBuffer flag = to_device(std::vector<int>{0});
  DeviceBuffer out(32 * sizeof(float));
  auto kernel = load_kernel(broken("spin_kernel"));
  void* p[] = {flag.data(), out.data()};
  void* args[] = {&p[0], &p[1]};
  LaunchOptions options;
  options.timeout_s = 0.5;
  const auto start = std::chrono::steady_clock::now();
  const std::string msg = expect_error(ErrorKind::timeout, [&] {
    launch(*kernel, config({4, 1, 1}, {32, 1, 1}), args, options);
  });
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
  EXPECT_TRUE(contains(msg, "spin_kernel")) << msg;
}

TEST(EmuFaults, IsolatedLaunchReportsAndSurvives) {
  DeviceBuffer out(32 * sizeof(float));
  auto kernel = load_kernel(broken("null_kernel"));
  void* p = out.data();
  void* args[] = {&p};
  LaunchOptions options;
  options.isolate = true;
  const std::string msg = expect_error(ErrorKind::out_of_bounds, [&] {
    launch(*kernel, config({1, 1, 1}, {32, 1, 1}), args, options);
  });
  EXPECT_TRUE(contains(msg, "not inside any emulated device buffer")) << msg;
  // An isolated correct launch writes into the parent's buffers.
  auto ok = load_kernel(broken("oob_by_one_kernel"));
  launch(*ok, config({1, 1, 1}, {8, 1, 1}), args, options);
  EXPECT_EQ(to_host<float>(out)[7], 7.0f);
}

namespace {
// The children of this process (from /proc/<pid>/stat's parent field).
std::vector<pid_t> child_pids() {
  std::vector<pid_t> children;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    std::ifstream stat(entry.path() / "stat");
    std::string line;
    if (!std::getline(stat, line))
      continue;
    const auto close = line.rfind(')'); // the name may hold spaces: the fields follow the last ')'
    if (close == std::string::npos)
      continue;
    std::istringstream fields(line.substr(close + 2));
    char state = 0;
    pid_t parent = 0;
    fields >> state >> parent;
    if (parent == ::getpid())
      children.push_back(static_cast<pid_t>(std::stol(entry.path().filename().string())));
  }
  return children;
}
} // namespace

TEST(EmuFaults, IsolatedLaunchKilledFromOutsideIsInterruptedNotACrash) {
  // A spinning kernel in an isolated launch child; another thread SIGKILLs the child (as a user or
  // the OOM killer would). That says nothing about the kernel: interrupted (retryable), not crash.
  DeviceBuffer flag = to_device(std::vector<int>{0});
  DeviceBuffer out(32 * sizeof(float));
  auto kernel = load_kernel(broken("spin_kernel"));
  void* p[] = {flag.data(), out.data()};
  void* args[] = {&p[0], &p[1]};
  LaunchOptions options;
  options.isolate = true;
  options.timeout_s = 30;
  std::atomic<int> killed{0};
  std::thread killer([&] {
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (killed == 0 && std::chrono::steady_clock::now() < give_up) {
      for (pid_t child : child_pids())
        if (::kill(child, SIGKILL) == 0)
          killed = child;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  });
  const std::string msg = expect_error(ErrorKind::interrupted, [&] {
    launch(*kernel, config({1, 1, 1}, {32, 1, 1}), args, options);
  });
  killer.join();
  EXPECT_NE(killed.load(), 0);
  EXPECT_TRUE(contains(msg, "signal 9")) << msg;
  EXPECT_TRUE(contains(msg, "retryable")) << msg;
}

TEST(EmuFaults, LaunchConfigRejections) {
  DeviceBuffer out(2048 * sizeof(float));
  auto kernel = load_kernel(broken("oob_by_one_kernel"));
  void* p = out.data();
  void* args[] = {&p};
  std::string msg = expect_error(ErrorKind::launch_config, [&] {
    launch(*kernel, config({1, 1, 1}, {1025, 1, 1}), args);
  });
  EXPECT_TRUE(contains(msg, "1025 threads")) << msg;
  expect_error(ErrorKind::launch_config, [&] {
    launch(*kernel, config({1, 1, 1}, {32, 32, 2}), args);
  });
  expect_error(ErrorKind::launch_config, [&] {
    launch(*kernel, config({0, 1, 1}, {32, 1, 1}), args);
  });
  msg = expect_error(ErrorKind::launch_config, [&] {
    launch(*kernel, config({1, 1, 1}, {32, 1, 1}, 48 * 1024 + 1), args);
  });
  EXPECT_TRUE(contains(msg, "exceed the limit of 49152 bytes")) << msg;
  // The opt-in limit allows it; beyond 227 KB nothing does.
  LaunchOptions optin;
  optin.smem_limit_bytes = 227 * 1024;
  launch(*kernel, config({1, 1, 1}, {32, 1, 1}, 100 * 1024), args, optin);
  expect_error(ErrorKind::launch_config, [&] {
    launch(*kernel, config({1, 1, 1}, {32, 1, 1}, 227 * 1024 + 4), args, optin);
  });
}

TEST(EmuFaults, StackOverflowIsACrashNotACorruption) {
  DeviceBuffer out(32 * sizeof(float));
  auto kernel = load_kernel(broken("stack_overflow_kernel"));
  void* p = out.data();
  void* args[] = {&p};
  const std::string msg = expect_error(ErrorKind::crash, [&] {
    launch(*kernel, config({1, 1, 1}, {32, 1, 1}), args);
  });
  EXPECT_TRUE(contains(msg, "stack overflow")) << msg;
  EXPECT_TRUE(contains(msg, "block (0,0,0) thread (")) << msg;
}
