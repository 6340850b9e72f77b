#pragma once
// The split-K combine of both kernel families (LUT-GEMM and the OPTQ-style GEMV): how the partial
// sums of the K splits (grid.y of the main launch) reach y, as the launches around the main one.
// One place, so that the two families, the model and the exported header agree on the helper
// launches, their geometry and the workspace size.
//   none:   the main launch writes y.
//   atomic: zero an fp32 workspace, the splits atomicAdd into it, convert it to fp16 y.
//   reduce: each split writes its own fp32 slice of the workspace, one launch sums them into y.
#include "jit/launch_plan.hpp"
#include "kernels/knobs.hpp"

#include <cstdint>

namespace lutgemm {

// The helper kernels of the combine modes (kernels/lutgemm_common.cuh).
KernelSpec zero_f32_spec();
KernelSpec f32_to_f16_spec();
KernelSpec reduce_split_spec();

// The kernels' CombineMode template argument (kernels/lutgemm_common.cuh): 0 none, 1 atomic,
// 2 reduce.
int combine_mode(Combine combine);

// Blocks along K: `split` is an upper bound; the K tiles go in runs of ceil(tiles / split) and
// there is one block per run, never an empty one (10 tiles, split 9: 5 blocks of 2 tiles).
int effective_splits(std::int64_t k, int k_tile, int split);

// The buffer the main kernel's `workspace` parameter binds to: "workspace" when the combine uses
// one, otherwise "y" (a buffer that always exists; the kernel never reads it with combine none).
KernelArg workspace_arg(Combine combine);

// The whole plan: `main` (already carrying its grid with `splits` along y) with the combine's
// launches before and after it, and the workspace the combine needs. `outputs` = batch * m.
LaunchPlan split_k_plan(const KernelLaunch& main, Combine combine, std::int64_t outputs,
                        int splits);

} // namespace lutgemm
