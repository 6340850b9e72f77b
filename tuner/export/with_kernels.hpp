#pragma once
// The `lutgemm export --with-kernels` part of the header: the kernel sources the entries need,
// embedded, and a dispatch that launches exactly each entry's chosen template and plan.
//
// The kernels (kernels/lutgemm_common.cuh and kernels/lutgemm.cuh as this lutgemm embeds them)
// are copied verbatim inside `namespace NS { namespace { ... } }`: NS keeps them apart from any
// other copy of lutgemm in the program, and the unnamed namespace gives their non-template kernels
// internal linkage, so the header can be included by several translation units. They compile only
// under nvcc (__CUDACC__) or lutgemm's host emulator (LUTGEMM_EMULATOR); a plain C++ compiler sees
// the table, the lookup and `dispatch()` and needs no CUDA.
//
// `dispatch(config, args, launcher)` walks the entry's plan (the zeroing, main and combine
// launches of a split-K plan) at the call's (m, k, batch) and hands each launch to `launcher` as
// a LaunchRequest: the __global__ function (under nvcc), its instantiation's name, grid, block,
// dynamic shared memory and cudaLaunchKernel-style arguments. `launch(config, args, stream)`
// (under nvcc only) is dispatch() with cudaLaunchKernel on the stream, opting in to more than
// 48 KiB of dynamic shared memory where the plan needs it. The grids are recomputed from the
// call's shape by the tuner's formulas; a static_assert checks that they give each entry's stored
// grids at its own shape.
#include "export/header_writer.hpp"

#include <string>
#include <vector>

namespace lutgemm::header_export {

// The kernel sources, wrapped as above (the header's own includes come before this).
std::string kernel_sources_section(const std::string& name_space);

// The dispatch types and functions for `entries`, in kConfigs order (sorted and deduplicated).
std::string dispatch_section(const std::vector<ExportEntry>& entries,
                             const std::string& name_space);

} // namespace lutgemm::header_export
