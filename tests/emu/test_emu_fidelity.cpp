// Plain CUDA that the emulator once ran wrongly (issue 11, found with the GPTQ reference kernels):
// each test failed before its fix.
#include "emu_test_util.hpp"

#include <cuda_fp16.h>

#include <filesystem>
#include <fstream>

using namespace emu_test;
using lutgemm::emu::DeviceBuffer;
using lutgemm::emu::ErrorKind;
using lutgemm::emu::launch;
using lutgemm::emu::LaunchOptions;
using lutgemm::emu::load_kernel;

namespace {

lutgemm::KernelSpec fidelity(const std::string& name, int width = 0) {
  lutgemm::KernelSpec s = spec("tests/emu/kernels/emu_fidelity.cuh", "emu_fidelity::" + name);
  if (width > 0)
    s.defines.push_back({"EMU_FIDELITY_WIDTH", std::to_string(width)});
  return s;
}

// Runs reverse_width_kernel<float> built with `width` and checks out[i] == in[width - 1 - i].
void run_reverse(int width, const LaunchOptions& options) {
  const auto in = random_floats(width, 40 + width);
  DeviceBuffer d_in = to_device(in), d_out(width * sizeof(float));
  auto kernel = load_kernel(fidelity("reverse_width_kernel<float>", width));
  void* p[] = {d_in.data(), d_out.data()};
  int sync = 1;
  void* args[] = {&p[0], &p[1], &sync};
  launch(*kernel, config({1, 1, 1}, {128, 1, 1}), args, options);
  const auto out = to_host<float>(d_out);
  for (int i = 0; i < width; ++i)
    ASSERT_EQ(out[i], in[width - 1 - i]) << "width " << width << " index " << i;
}

} // namespace

// Two builds of one template kernel whose static shared array size comes from a define. g++'s
// STB_GNU_UNIQUE binding merged the arrays across the loaded libraries, so the second (larger)
// build wrote past the first one's storage and the race check watched the wrong range.
TEST(EmuFidelity, StaticSharedArraysOfTwoBuildsOfOneKernelAreSeparate) {
  LaunchOptions race;
  race.race_check = true;
  run_reverse(64, race);
  run_reverse(4096, race);
  run_reverse(64, {});
  run_reverse(4096, {});

  // The race check covers the larger build's whole array: a missing barrier is reported.
  const int width = 4096;
  const auto in = random_floats(width, 7);
  DeviceBuffer d_in = to_device(in), d_out(width * sizeof(float));
  auto kernel = load_kernel(fidelity("reverse_width_kernel<float>", width));
  void* p[] = {d_in.data(), d_out.data()};
  int sync = 0;
  void* args[] = {&p[0], &p[1], &sync};
  const std::string msg = expect_error(ErrorKind::shared_race, [&] {
    launch(*kernel, config({1, 1, 1}, {128, 1, 1}), args, race);
  });
  EXPECT_NE(msg.find("static shared memory"), std::string::npos) << msg;
}

// A shared array of class type gets a compiler-made initialization guard inside the emulated
// shared memory; every thread reads it, which the race check reported as a race.
TEST(EmuFidelity, Half2SharedArrayHasNoFalseRace) {
  std::vector<__half2> in(128);
  for (int i = 0; i < 128; ++i)
    in[i] = __halves2half2(__float2half(float(i)), __float2half(float(-i)));
  DeviceBuffer d_in = to_device(in), d_out(128 * sizeof(__half2));
  auto kernel = load_kernel(fidelity("half2_shared_kernel"));
  void* p[] = {d_in.data(), d_out.data()};
  void* args[] = {&p[0], &p[1]};
  LaunchOptions race;
  race.race_check = true;
  launch(*kernel, config({2, 1, 1}, {128, 1, 1}), args, race);
  const auto out = to_host<__half2>(d_out);
  for (int i = 0; i < 128; ++i) {
    EXPECT_EQ(__low2float(out[i]), float(127 - i + i)) << i;
    EXPECT_EQ(__high2float(out[i]), float(-(127 - i) - i)) << i;
  }
}

// Static shared memory is counted per launched kernel, not per file: the small kernel (1 KiB)
// runs under a 2 KiB limit although its file also holds a 32 KiB one.
TEST(EmuFidelity, StaticSharedMemoryIsCountedPerKernel) {
  DeviceBuffer d_out(256 * sizeof(float));
  void* p = d_out.data();
  void* args[] = {&p};
  LaunchOptions tight;
  tight.smem_limit_bytes = 2048;
  auto small = load_kernel(fidelity("small_static_kernel"));
  launch(*small, config({1, 1, 1}, {256, 1, 1}), args, tight);
  EXPECT_EQ(to_host<float>(d_out)[0], 255.0f);

  auto large = load_kernel(fidelity("large_static_kernel"));
  const std::string msg = expect_error(ErrorKind::launch_config, [&] {
    launch(*large, config({1, 1, 1}, {256, 1, 1}), args, tight);
  });
  EXPECT_NE(msg.find("32768 static"), std::string::npos) << msg;
  launch(*large, config({1, 1, 1}, {256, 1, 1}), args);
  EXPECT_EQ(to_host<float>(d_out)[0], 8191.0f);
}

// A file that includes cuda_runtime.h, as nvcc-compiled files do, runs unchanged.
TEST(EmuFidelity, KernelIncludingCudaRuntimeRuns) {
  DeviceBuffer d_out(3 * 64 * sizeof(unsigned));
  void* p = d_out.data();
  void* args[] = {&p};
  auto kernel = load_kernel(fidelity("geometry_kernel"));
  launch(*kernel, config({3, 1, 1}, {64, 1, 1}), args);
  const auto out = to_host<unsigned>(d_out);
  for (unsigned v : out)
    ASSERT_EQ(v, 3064u);
}

// A kernel file given by path is cached by its contents: after an edit, the next load builds the
// edited kernel instead of reusing the stale library.
TEST(EmuFidelity, KernelFileGivenByPathIsRebuiltAfterAnEdit) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::path(LUTGEMM_TEST_BINARY_DIR) / "test-cache" / "fidelity-user-kernel";
  fs::create_directories(dir);
  const fs::path file = dir / "user_kernel.cuh";
  auto write_kernel = [&](int value) {
    std::ofstream out(file);
    out << "__global__ void user_kernel(int* out) {\n"
        << "  extern __shared__ int scratch[];\n"
        << "  scratch[threadIdx.x] = " << value << ";\n"
        << "  __syncthreads();\n"
        << "  out[threadIdx.x] = scratch[threadIdx.x];\n}\n";
  };
  DeviceBuffer d_out(32 * sizeof(int));
  void* p = d_out.data();
  void* args[] = {&p};
  for (int value : {11, 22}) {
    write_kernel(value);
    auto kernel = load_kernel(spec(file.string(), "user_kernel"));
    launch(*kernel, config({1, 1, 1}, {32, 1, 1}, 32 * sizeof(int)), args);
    EXPECT_EQ(to_host<int>(d_out)[31], value);
  }
}
