#include "cuda/loaded_plan.hpp"

#include "common/error.hpp"
#include "cuda/device_info.hpp"
#include "jit/nvrtc_compiler.hpp"
#include "jit/plan_compile.hpp"

#include <fmt/format.h>

namespace lutgemm::cuda {

LoadedPlan::LoadedPlan(const LaunchPlan& plan) {
  NvrtcCompiler compiler; // the default cache tiers: a second load comes from disk
  const std::string arch = current_device_arch();
  const auto compiled = compile_plans(compiler, {plan}, arch);
  if (!compiled.at(0).ok)
    throw RuntimeError(
        fmt::format("the plan's kernels did not compile for {}: {}", arch, compiled[0].error));
  for (const auto& kernel : compiled[0].kernels) {
    modules_.push_back(
        std::make_unique<Module>(std::string_view(kernel->cubin.data(), kernel->cubin.size())));
    functions_.push_back(modules_.back()->function(kernel->lowered_name));
  }
}

} // namespace lutgemm::cuda
