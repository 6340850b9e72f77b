#pragma once
// The typed part of a LUT-GEMM entry of the exported header: every template argument of the chosen
// kernel (enums for accum, table, combine and build), q, g and the offset, the exact
// kernels/lutgemm.cuh instantiation, and the launch plan at the entry's own shape (grid, block,
// dynamic shared memory and arguments of each launch, workspace bytes). An engine needs all of
// these to launch the kernel the tuner chose; the label string alone does not say them.
#include "kernels/lut_params.hpp"
#include "problem/problem.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace lutgemm::header_export {

struct ExportLaunch {
  std::string kernel; // the instantiation (NVRTC name expression) of this launch
  std::array<std::uint32_t, 3> grid{1, 1, 1};
  std::array<std::uint32_t, 3> block{1, 1, 1};
  std::uint32_t dynamic_smem_bytes = 0;
  std::string args; // the arguments in order: buffer names and integer values
};

struct ExportLut {
  int bits = 0;
  int group = 0; // 0 = row-wise
  bool has_offset = true;
  LutParams params;
  std::string instance; // the main kernel's instantiation, e.g. lutgemm::lutgemm_kernel<3, ...>
  std::int64_t workspace_bytes = 0;
  std::vector<ExportLaunch> launches; // at most kMaxExportLaunches
};

inline constexpr int kMaxExportLaunches = 3;

// The typed entry of a stored LUT-GEMM variant, from its label and problem; nullopt when the label
// is not one this lutgemm can read (e.g. written by another version) or the plan cannot be made.
std::optional<ExportLut> lut_export_of(const Problem& problem, const std::string& label);

// A C++ string literal of `s` (quotes and backslashes escaped, control characters dropped).
std::string quoted_literal(const std::string& s);

// The enums and structs the header declares for typed LUT-GEMM entries.
std::string lut_header_types();

// The C++ aggregate initializer of one entry's LutKernel (`valid = false` when absent).
std::string lut_initializer(const std::optional<ExportLut>& lut);

} // namespace lutgemm::header_export
