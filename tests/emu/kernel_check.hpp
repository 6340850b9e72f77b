#pragma once
// Shared by the kernel-family emulator tests: poisoned buffers, parallel host compilation of a set
// of plans' kernels, and an element-wise comparison against the float64 reference with a written
// tolerance (the max error is printed).
#include "common/half.hpp"
#include "emu/emulator.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace kernel_check {

using lutgemm::emu::DeviceBuffer;

template <class T> DeviceBuffer to_device(const std::vector<T>& host) {
  DeviceBuffer buffer(std::max<std::size_t>(1, host.size()) * sizeof(T));
  buffer.upload(host.data(), host.size() * sizeof(T));
  return buffer;
}

template <class T> std::vector<T> to_host(const DeviceBuffer& buffer, std::size_t n) {
  std::vector<T> host(n);
  buffer.download(host.data(), n * sizeof(T));
  return host;
}

// fp16 outputs poisoned with NaN: an element the kernels never write fails the comparison.
inline DeviceBuffer nan_halves(std::size_t n) {
  return to_device(std::vector<std::uint16_t>(n, lutgemm::kHalfQuietNaN));
}

// A workspace full of NaN floats (run_plan's own workspace would be fresh zero pages, which would
// hide a combine mode that forgets to zero or to write every slice).
inline DeviceBuffer nan_workspace(std::int64_t bytes) {
  const std::uint32_t nan_bits = 0x7fc00000u;
  return to_device(std::vector<std::uint32_t>(static_cast<std::size_t>((bytes + 3) / 4), nan_bits));
}

// Host-compiles every kernel of the plans on two threads (the compile of one LUT-GEMM variant takes
// seconds; afterwards run_plan finds them in the emulator's disk cache).
inline void preload(const std::vector<lutgemm::LaunchPlan>& plans) {
  std::vector<lutgemm::KernelSpec> specs;
  std::set<std::string> keys;
  for (const auto& plan : plans)
    for (const auto& launch : plan.launches)
      if (keys.insert(launch.spec.key_text()).second)
        specs.push_back(launch.spec);
  std::atomic<std::size_t> next{0};
  std::vector<std::string> errors(specs.size());
  auto worker = [&] {
    for (std::size_t i = next++; i < specs.size(); i = next++) {
      try {
        (void)lutgemm::emu::load_kernel(specs[i]);
      } catch (const std::exception& e) {
        errors[i] = e.what(); // reported again, with the case's name, by the launch
      }
    }
  };
  std::thread helper(worker);
  worker();
  helper.join();
}

struct Comparison {
  double max_error = 0.0;
  double max_ratio = 0.0; // max error / tolerance over all elements
  std::size_t failures = 0;
};

// Compares every output element y[i] (fp16 bits) with ref[i]; tol[i] is the allowed error.
inline Comparison compare(const std::vector<std::uint16_t>& y, const std::vector<double>& ref,
                          const std::vector<double>& tol, const std::string& what) {
  Comparison c;
  EXPECT_EQ(y.size(), ref.size());
  for (std::size_t i = 0; i < y.size() && i < ref.size(); ++i) {
    const double v = lutgemm::half_to_double(y[i]);
    const double err = std::abs(v - ref[i]);
    if (!std::isfinite(v) || !(err <= tol[i])) {
      if (++c.failures <= 5)
        ADD_FAILURE() << what << ": element " << i << " = " << v << ", reference " << ref[i]
                      << ", error " << err << " > tolerance " << tol[i];
      continue;
    }
    c.max_error = std::max(c.max_error, err);
    c.max_ratio = std::max(c.max_ratio, err / tol[i]);
  }
  EXPECT_EQ(c.failures, 0u) << what << ": " << c.failures << " of " << y.size()
                            << " elements wrong";
  std::printf("  %-70s max |err| %.3g (%.2f of tolerance)\n", what.c_str(), c.max_error,
              c.max_ratio);
  return c;
}

} // namespace kernel_check
