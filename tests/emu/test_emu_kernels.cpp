// Correct kernels in the emulator, each against a CPU computation on random inputs.
#include "common/half.hpp"
#include "emu_test_util.hpp"

#include <chrono>
#include <cmath>
#include <cstdio>

using namespace emu_test;
using lutgemm::emu::DeviceBuffer;
using lutgemm::emu::launch;
using lutgemm::emu::load_kernel;

TEST(EmuKernels, BlockReduceWithWarpShuffles) {
  const int threads = 256, blocks = 37;
  const int n = threads * blocks - 100; // the last block is partial
  const auto in = random_floats(n, 1);
  DeviceBuffer d_in = to_device(in);
  DeviceBuffer d_out(blocks * sizeof(float));
  auto kernel = load_kernel(correct("block_reduce_kernel"));
  void* p_in = d_in.data();
  void* p_out = d_out.data();
  int n_arg = n;
  void* args[] = {&p_in, &p_out, &n_arg};
  launch(*kernel, config({blocks, 1, 1}, {threads, 1, 1}), args);
  const auto out = to_host<float>(d_out);
  for (int b = 0; b < blocks; ++b) {
    double expect = 0;
    for (int i = b * threads; i < std::min(n, (b + 1) * threads); ++i)
      expect += in[i];
    EXPECT_NEAR(out[b], expect, 1e-4) << "block " << b;
  }
}

TEST(EmuKernels, SharedMemoryTiledTranspose) {
  const int rows = 70, cols = 45, tile = 16;
  const auto in = random_floats(rows * cols, 2);
  DeviceBuffer d_in = to_device(in);
  DeviceBuffer d_out(rows * cols * sizeof(float));
  auto kernel = load_kernel(correct("transpose_kernel<16>"));
  void* p_in = d_in.data();
  void* p_out = d_out.data();
  int r = rows, c = cols;
  void* args[] = {&p_in, &p_out, &r, &c};
  launch(*kernel, config({(cols + tile - 1) / tile, (rows + tile - 1) / tile, 1}, {tile, tile, 1}),
         args);
  const auto out = to_host<float>(d_out);
  for (int i = 0; i < rows; ++i)
    for (int j = 0; j < cols; ++j)
      ASSERT_EQ(out[j * rows + i], in[i * cols + j]) << i << "," << j;
}

TEST(EmuKernels, AtomicsHistogram) {
  const int n = 100000, nbins = 61;
  std::mt19937 rng(3);
  std::vector<unsigned> data(n);
  for (auto& v : data)
    v = rng() % 100000u;
  std::vector<unsigned> expect_bins(nbins, 0);
  double expect_total = 0;
  unsigned expect_max = 0;
  for (unsigned v : data) {
    ++expect_bins[v % nbins];
    expect_total += v & 7u;
    expect_max = std::max(expect_max, v);
  }
  DeviceBuffer d_data = to_device(data);
  DeviceBuffer d_bins = to_device(std::vector<unsigned>(nbins, 0));
  DeviceBuffer d_total = to_device(std::vector<float>{0.0f});
  DeviceBuffer d_max = to_device(std::vector<unsigned>{0});
  DeviceBuffer d_pair = to_device(std::vector<std::uint16_t>{0, 0}); // __half2 zero
  auto kernel = load_kernel(correct("histogram_kernel"));
  void* p[] = {d_data.data(), d_bins.data(), d_total.data(), d_max.data(), d_pair.data()};
  int n_arg = n, nbins_arg = nbins;
  void* args[] = {&p[0], &n_arg, &p[1], &nbins_arg, &p[2], &p[3], &p[4]};
  launch(*kernel, config({8, 1, 1}, {128, 1, 1}, nbins * sizeof(unsigned)), args);
  EXPECT_EQ(to_host<unsigned>(d_bins), expect_bins);
  EXPECT_NEAR(to_host<float>(d_total)[0], expect_total, 1.0);
  EXPECT_EQ(to_host<unsigned>(d_max)[0], expect_max);
  // fp16 sums of 1.0 stop growing at 2048 (2049 rounds to even) and of 0.5 at 1024: with n far
  // above that, every interleaving of the atomics ends exactly there.
  const auto pair = to_host<std::uint16_t>(d_pair);
  EXPECT_EQ(lutgemm::half_to_float(pair[0]), 2048.0f);
  EXPECT_EQ(lutgemm::half_to_float(pair[1]), 1024.0f);
}

TEST(EmuKernels, DynamicSharedMemoryAndVotes) {
  const int threads = 128, blocks = 5;
  auto in = random_floats(threads * blocks, 4);
  for (int i = 0; i < 32; ++i) // warp 1 all positive, warp 2 all negative
    in[32 + i] = std::fabs(in[32 + i]) + 0.1f, in[64 + i] = -std::fabs(in[64 + i]) - 0.1f;
  DeviceBuffer d_in = to_device(in);
  DeviceBuffer d_out(in.size() * sizeof(float));
  DeviceBuffer d_pos(blocks * sizeof(int));
  const int warps = threads * blocks / 32;
  DeviceBuffer d_ballots(warps * sizeof(unsigned));
  DeviceBuffer d_votes(warps * sizeof(int));
  auto kernel = load_kernel(correct("reverse_dynamic_kernel"));
  void* p[] = {d_in.data(), d_out.data(), d_pos.data(), d_ballots.data(), d_votes.data()};
  void* args[] = {&p[0], &p[1], &p[2], &p[3], &p[4]};
  launch(*kernel, config({blocks, 1, 1}, {threads, 1, 1}, threads * sizeof(float)), args);
  const auto out = to_host<float>(d_out);
  const auto pos = to_host<int>(d_pos);
  const auto ballots = to_host<unsigned>(d_ballots);
  const auto votes = to_host<int>(d_votes);
  for (int b = 0; b < blocks; ++b) {
    int count = 0;
    for (int t = 0; t < threads; ++t) {
      EXPECT_EQ(out[b * threads + t], in[b * threads + threads - 1 - t]);
      count += in[b * threads + t] > 0.0f;
    }
    EXPECT_EQ(pos[b], count);
  }
  for (int w = 0; w < warps; ++w) {
    unsigned ballot = 0;
    for (int l = 0; l < 32; ++l)
      ballot |= (in[w * 32 + l] > 0.0f ? 1u : 0u) << l;
    EXPECT_EQ(ballots[w], ballot) << "warp " << w;
    EXPECT_EQ(votes[w], (ballot != 0 ? 2 : 0) + (ballot == 0xffffffffu ? 1 : 0)) << "warp " << w;
  }
  EXPECT_EQ(votes[1], 3);
  EXPECT_EQ(votes[2], 0);
}

TEST(EmuKernels, MultiBlockGrid2D) {
  const int rows = 300, cols = 170;
  const auto x = random_floats(rows * cols, 5);
  const auto y = random_floats(rows * cols, 6);
  DeviceBuffer d_x = to_device(x), d_y = to_device(y);
  DeviceBuffer d_out(x.size() * sizeof(float));
  auto kernel = load_kernel(correct("axpy_2d_kernel"));
  float a = 1.75f;
  void* p[] = {d_x.data(), d_y.data(), d_out.data()};
  int r = rows, c = cols;
  void* args[] = {&a, &p[0], &p[1], &p[2], &r, &c};
  launch(*kernel, config({3, 7, 1}, {32, 4, 1}), args); // grid smaller than the matrix: strides
  const auto out = to_host<float>(d_out);
  for (std::size_t i = 0; i < x.size(); ++i)
    ASSERT_FLOAT_EQ(out[i], std::fma(a, x[i], y[i])) << i;
}

TEST(EmuKernels, IntegerIntrinsics) {
  const int n = 64;
  std::mt19937 rng(7);
  std::vector<unsigned> in(2 * n);
  for (auto& v : in)
    v = rng();
  in[0] = 0; // __ffs(0) = 0, __clz(0) = 32
  DeviceBuffer d_in = to_device(in);
  DeviceBuffer d_out(6 * n * sizeof(unsigned));
  auto kernel = load_kernel(correct("intrinsics_kernel"));
  void* p[] = {d_in.data(), d_out.data()};
  void* args[] = {&p[0], &p[1]};
  launch(*kernel, config({2, 1, 1}, {32, 1, 1}), args);
  const auto out = to_host<unsigned>(d_out);
  for (int i = 0; i < n; ++i) {
    const unsigned a = in[2 * i], b = in[2 * i + 1];
    EXPECT_EQ(out[6 * i + 0], (unsigned)__builtin_popcount(a));
    EXPECT_EQ(out[6 * i + 1], (unsigned)__builtin_ffs((int)a));
    EXPECT_EQ(out[6 * i + 2], a == 0 ? 32u : (unsigned)__builtin_clz(a));
    // selector 0x5140: bytes a0, b0, a1, b1
    const unsigned perm =
        (a & 0xffu) | ((b & 0xffu) << 8) | (((a >> 8) & 0xffu) << 16) | (((b >> 8) & 0xffu) << 24);
    EXPECT_EQ(out[6 * i + 3], perm);
    const unsigned long long hilo = ((unsigned long long)b << 32) | a;
    EXPECT_EQ(out[6 * i + 4], (unsigned)((hilo << (b & 31)) >> 32));
    EXPECT_EQ(out[6 * i + 5], (unsigned)(hilo >> (a & 31)));
  }
}

// The speed figure of the README's performance notes (emulator on this CPU): 1024 blocks x 256
// threads, 4 barriers each. Checked for correctness; the time is printed, not asserted.
TEST(EmuKernels, BarrierSpeedFigure) {
  const unsigned blocks = 1024, threads = 256;
  DeviceBuffer d_out(blocks * sizeof(float));
  auto kernel = load_kernel(correct("barriers_kernel"));
  void* p = d_out.data();
  void* args[] = {&p};
  const auto start = std::chrono::steady_clock::now();
  launch(*kernel, config({blocks, 1, 1}, {threads, 1, 1}), args);
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const auto out = to_host<float>(d_out);
  for (unsigned b = 0; b < blocks; ++b)
    ASSERT_EQ(out[b], 4.0f); // thread 0 reads s[2] = (float)3 + 1
  std::printf("[emulator, this CPU] %u blocks x %u threads, 4 barriers: %.3f s (%.0f ns per "
              "thread-barrier)\n",
              blocks, threads, s, s * 1e9 / (blocks * threads * 4.0));
}

TEST(EmuKernels, ActiveMask) {
  const unsigned threads = 48; // warp 1 has 16 lanes
  DeviceBuffer d_out(2 * threads * sizeof(unsigned));
  auto kernel = load_kernel(correct("activemask_kernel"));
  void* p = d_out.data();
  void* args[] = {&p};
  launch(*kernel, config({2, 1, 1}, {threads, 1, 1}), args);
  const auto out = to_host<unsigned>(d_out);
  for (unsigned t = 0; t < threads; ++t) {
    const bool lower = t % 32 < 16;
    EXPECT_EQ(out[t], lower ? 0x0000ffffu : 0u) << "block 0 thread " << t;
    EXPECT_EQ(out[threads + t], t < 32 ? 0xffffffffu : 0x0000ffffu) << "block 1 thread " << t;
  }
}

TEST(EmuKernels, SpinLockMakesProgress) {
  DeviceBuffer d_lock = to_device(std::vector<int>{0});
  DeviceBuffer d_counter = to_device(std::vector<int>{0});
  auto kernel = load_kernel(correct("spin_lock_kernel"));
  void* p[] = {d_lock.data(), d_counter.data()};
  void* args[] = {&p[0], &p[1]};
  lutgemm::emu::LaunchOptions options;
  options.timeout_s = 60;
  launch(*kernel, config({6, 1, 1}, {64, 1, 1}), args, options);
  EXPECT_EQ(to_host<int>(d_counter)[0], 6 * 64);
  EXPECT_EQ(to_host<int>(d_lock)[0], 0);
}

// More worker threads than cores (as on a 16-core machine): blocks interleave freely.
TEST(EmuKernels, ManyWorkersSameResults) {
  const int threads = 128, blocks = 200;
  const auto in = random_floats(threads * blocks, 31);
  DeviceBuffer d_in = to_device(in);
  DeviceBuffer d_out(blocks * sizeof(float));
  auto kernel = load_kernel(correct("block_reduce_kernel"));
  void* p_in = d_in.data();
  void* p_out = d_out.data();
  int n_arg = threads * blocks;
  void* args[] = {&p_in, &p_out, &n_arg};
  for (unsigned workers : {1u, 3u, 16u}) {
    lutgemm::emu::LaunchOptions options;
    options.worker_threads = workers;
    launch(*kernel, config({blocks, 1, 1}, {threads, 1, 1}), args, options);
    const auto out = to_host<float>(d_out);
    for (int b = 0; b < blocks; ++b) {
      double expect = 0;
      for (int i = b * threads; i < (b + 1) * threads; ++i)
        expect += in[i];
      ASSERT_NEAR(out[b], expect, 1e-4) << "block " << b << ", " << workers << " workers";
    }
  }
}
