#include "kernels/split_k_plan.hpp"

#include <algorithm>

namespace lutgemm {

KernelSpec zero_f32_spec() {
  return {"kernels/lutgemm_common.cuh", "lutgemm::zero_f32_kernel", {}};
}
KernelSpec f32_to_f16_spec() {
  return {"kernels/lutgemm_common.cuh", "lutgemm::f32_to_f16_kernel", {}};
}
KernelSpec reduce_split_spec() {
  return {"kernels/lutgemm_common.cuh", "lutgemm::reduce_split_kernel", {}};
}

int combine_mode(Combine combine) {
  switch (combine) {
  case Combine::none:
    return 0;
  case Combine::atomic:
    return 1;
  case Combine::reduce:
    return 2;
  }
  return 0;
}

int effective_splits(std::int64_t k, int k_tile, int split) {
  const std::int64_t tiles = (k + k_tile - 1) / k_tile;
  const std::int64_t per_split =
      std::max<std::int64_t>((tiles + split - 1) / std::max(split, 1), 1);
  // Splits that get a tile: 10 tiles over 9 splits are 5 runs of 2, not 9. The kernels divide
  // the tiles by gridDim.y the same way, so the runs are the same ones (test_kernel_params).
  return static_cast<int>((tiles + per_split - 1) / per_split);
}

KernelArg workspace_arg(Combine combine) {
  return KernelArg::buf(combine == Combine::none ? "y" : "workspace");
}

LaunchPlan split_k_plan(const KernelLaunch& main, Combine combine, std::int64_t outputs,
                        int splits) {
  // The helpers are grid-stride elementwise kernels over the outputs.
  constexpr int kHelperThreads = 256;
  const LaunchConfig helper{
      {elementwise_grid(outputs, kHelperThreads), 1, 1}, {kHelperThreads, 1, 1}, 0};
  LaunchPlan plan;
  switch (combine) {
  case Combine::atomic:
    plan.workspace_bytes = outputs * 4;
    plan.launches.push_back(
        {zero_f32_spec(), helper, {KernelArg::buf("workspace"), KernelArg::i64(outputs)}});
    plan.launches.push_back(main);
    plan.launches.push_back(
        {f32_to_f16_spec(),
         helper,
         {KernelArg::buf("workspace"), KernelArg::buf("y"), KernelArg::i64(outputs)}});
    break;
  case Combine::reduce:
    plan.workspace_bytes = outputs * 4 * splits;
    plan.launches.push_back(main);
    plan.launches.push_back({reduce_split_spec(),
                             helper,
                             {KernelArg::buf("workspace"), KernelArg::buf("y"),
                              KernelArg::i64(outputs), KernelArg::i32(splits)}});
    break;
  case Combine::none:
    plan.launches.push_back(main);
    break;
  }
  return plan;
}

} // namespace lutgemm
