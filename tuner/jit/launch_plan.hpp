#pragma once
// How a kernel family's variant runs on any backend: an ordered list of kernel launches whose
// arguments name buffers by role, so that the cuda backend, the emulator and the benchmarks all
// launch a variant the same way. Each family (tuner/kernels/) builds its plan from the problem and
// the variant's parameters; a backend binds the names to its own device pointers.
//
// Buffer names used by the families:
//   LUT-GEMM:  "bit_words", "alpha", "offset", "x", "y"            (tuner/quant/packed_bcq.hpp)
//   OPTQ-style: "qweight", "scales", "zeros", "x", "y", "w_fp16"   (tuner/quant/)
//   any:       "workspace" (LaunchPlan::workspace_bytes of uninitialized scratch)
#include "jit/kernel_spec.hpp"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace lutgemm {

struct KernelArg {
  enum class Kind { buffer, i32, i64, f32 };
  Kind kind = Kind::i32;
  std::string buffer;         // for Kind::buffer: the buffer's name
  std::int64_t int_value = 0; // for i32 / i64
  float float_value = 0.0f;   // for f32

  static KernelArg buf(std::string name) { return {Kind::buffer, std::move(name), 0, 0.0f}; }
  static KernelArg i32(std::int32_t v) { return {Kind::i32, {}, v, 0.0f}; }
  static KernelArg i64(std::int64_t v) { return {Kind::i64, {}, v, 0.0f}; }
  static KernelArg f32(float v) { return {Kind::f32, {}, 0, v}; }
};

// One launch's arguments as cuLaunchKernel and the emulator's launch read them: each value in its
// own 8-byte slot (ints and floats in its low bytes), get()[i] pointing at slot i. `address_of`
// gives a buffer argument's device address and throws for a name it does not bind.
class PackedKernelArgs {
public:
  PackedKernelArgs(
      const std::vector<KernelArg>& args,
      const std::function<std::uint64_t(std::size_t index, const std::string& name)>& address_of);
  PackedKernelArgs(const PackedKernelArgs&) = delete; // get() points into this object
  PackedKernelArgs& operator=(const PackedKernelArgs&) = delete;
  void** get() { return pointers_.data(); }
  std::size_t size() const { return pointers_.size(); }

private:
  std::vector<std::uint64_t> slots_;
  std::vector<void*> pointers_;
};

struct KernelLaunch {
  KernelSpec spec;
  LaunchConfig config;
  std::vector<KernelArg> args; // in the kernel's parameter order
};

struct LaunchPlan {
  // Run in order on one stream. Together they compute the whole output: the caller never pre-zeroes
  // y; any zeroing a variant needs is one of these launches (and so part of what gets timed).
  std::vector<KernelLaunch> launches;
  std::int64_t workspace_bytes = 0;
};

} // namespace lutgemm
