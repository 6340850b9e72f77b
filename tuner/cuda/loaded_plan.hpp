#pragma once
// A launch plan's kernels compiled with NVRTC for the current context's device and loaded: one
// Function per launch, in order, ready for enqueue_plan. For code that runs one fixed plan many
// times (the OPTQ baselines, the GPU benchmarks); the cuda backend keeps its own module cache
// across many variants.
#include "cuda/module.hpp"
#include "jit/launch_plan.hpp"

#include <memory>
#include <vector>

namespace lutgemm::cuda {

class LoadedPlan {
public:
  // Throws RuntimeError with the compiler's first error when a kernel does not compile,
  // DriverUnavailable without a driver, DriverError without a current context.
  explicit LoadedPlan(const LaunchPlan& plan);
  const std::vector<Function>& functions() const { return functions_; }

private:
  std::vector<std::unique_ptr<Module>> modules_;
  std::vector<Function> functions_;
};

} // namespace lutgemm::cuda
