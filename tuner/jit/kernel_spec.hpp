#pragma once
// What both compilers (NVRTC for GPUs, the host compiler for the emulator) need to build one kernel
// variant, and how it is launched. Every backend consumes exactly these two types, so the emulator
// and the GPU compile the same source and launch it the same way.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace lutgemm {

struct KernelSpec {
  // Embedded source name (cmake/embed_sources.cmake), e.g. "kernels/lutgemm.cuh".
  std::string source;
  // The __global__ function to launch, as an NVRTC name expression, e.g.
  // "lutgemm::lutgemm_kernel<3, 128, 8, 256>" (template arguments carry the variant's parameters).
  std::string name_expression;
  // Extra preprocessor definitions, -DNAME=VALUE, given to both compilers.
  std::vector<std::pair<std::string, std::string>> defines;

  // Stable text of all of the above: part of every cache key.
  std::string key_text() const;
  friend bool operator==(const KernelSpec&, const KernelSpec&) = default;
};

struct Dim3 {
  std::uint32_t x = 1, y = 1, z = 1;
  friend bool operator==(const Dim3&, const Dim3&) = default;
};

struct LaunchConfig {
  Dim3 grid;
  Dim3 block;
  std::uint32_t dynamic_smem_bytes = 0;
};

} // namespace lutgemm
