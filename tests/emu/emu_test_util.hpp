#pragma once
// Helpers for the emulator's tests: specs of the test kernels, typed device buffers, launches.
#include "emu/emulator.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <random>
#include <string>
#include <vector>

namespace emu_test {

inline lutgemm::KernelSpec spec(const std::string& source, const std::string& name) {
  lutgemm::KernelSpec s;
  s.source = source;
  s.name_expression = name;
  return s;
}
inline lutgemm::KernelSpec correct(const std::string& name) {
  return spec("tests/emu/kernels/emu_correct.cuh", "emu_test::" + name);
}
inline lutgemm::KernelSpec broken(const std::string& name) {
  return spec("tests/emu/kernels/emu_broken.cuh", "emu_test::" + name);
}

// An empty vector (e.g. the offsets of a problem without them) gets a 1-byte buffer, so that every
// named buffer of a plan exists.
template <class T> lutgemm::emu::DeviceBuffer to_device(const std::vector<T>& host) {
  lutgemm::emu::DeviceBuffer buffer(std::max<std::size_t>(1, host.size() * sizeof(T)));
  buffer.upload(host.data(), host.size() * sizeof(T));
  return buffer;
}
template <class T> std::vector<T> to_host(const lutgemm::emu::DeviceBuffer& buffer) {
  std::vector<T> host(buffer.size() / sizeof(T));
  buffer.download(host.data(), host.size() * sizeof(T));
  return host;
}

// Uniform random floats in [lo, hi), never all zero.
inline std::vector<float> random_floats(std::size_t n, unsigned seed, float lo = -1.0f,
                                        float hi = 1.0f) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(lo, hi);
  std::vector<float> v(n);
  for (auto& x : v)
    x = dist(rng);
  return v;
}

inline lutgemm::LaunchConfig config(lutgemm::Dim3 grid, lutgemm::Dim3 block,
                                    std::uint32_t dynamic_smem = 0) {
  lutgemm::LaunchConfig c;
  c.grid = grid;
  c.block = block;
  c.dynamic_smem_bytes = dynamic_smem;
  return c;
}

// Runs `f` expecting an EmuError of `kind`; returns its message.
template <class F> std::string expect_error(lutgemm::emu::ErrorKind kind, F&& f) {
  try {
    f();
  } catch (const lutgemm::emu::EmuError& e) {
    EXPECT_EQ(lutgemm::emu::to_string(e.kind()), lutgemm::emu::to_string(kind)) << e.what();
    return e.what();
  }
  ADD_FAILURE() << "no EmuError (" << lutgemm::emu::to_string(kind) << ") was thrown";
  return {};
}

} // namespace emu_test
