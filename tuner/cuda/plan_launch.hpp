#pragma once
// Runs a LaunchPlan (jit/launch_plan.hpp) on a CUDA stream: binds buffer names to device pointers
// and packs each launch's arguments the way cuLaunchKernel reads them. Compilation and module
// loading are the caller's (one Function per launch of the plan, in order).
#include "cuda/module.hpp"
#include "jit/launch_plan.hpp"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace lutgemm::cuda {

using BufferBindings = std::map<std::string, CUdeviceptr>;

// cuLaunchKernel's `void** kernelParams` for one launch, buffers bound by name
// (jit/launch_plan.hpp).
class PackedArgs : public PackedKernelArgs {
public:
  // Throws RuntimeError naming a buffer argument that `buffers` does not bind.
  PackedArgs(const std::vector<KernelArg>& args, const BufferBindings& buffers);
};

// Enqueues every launch of `plan` on `stream`, in order. `functions[i]` runs `plan.launches[i]`.
void enqueue_plan(const LaunchPlan& plan, const std::vector<Function>& functions,
                  const BufferBindings& buffers, CUstream stream = nullptr);

} // namespace lutgemm::cuda
