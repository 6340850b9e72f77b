#include "cuda/plan_launch.hpp"

#include "common/error.hpp"

#include <fmt/format.h>

namespace lutgemm::cuda {

PackedArgs::PackedArgs(const std::vector<KernelArg>& args, const BufferBindings& buffers)
    : PackedKernelArgs(args, [&](std::size_t index, const std::string& name) -> std::uint64_t {
        if (auto it = buffers.find(name); it != buffers.end())
          return it->second;
        std::string bound;
        for (const auto& [bound_name, ptr] : buffers)
          bound += (bound.empty() ? "" : ", ") + bound_name;
        throw RuntimeError(fmt::format("kernel argument {} names buffer '{}', which is not bound "
                                       "(bound: {})",
                                       index, name, bound.empty() ? "none" : bound));
      }) {}

void enqueue_plan(const LaunchPlan& plan, const std::vector<Function>& functions,
                  const BufferBindings& buffers, CUstream stream) {
  if (functions.size() != plan.launches.size())
    throw RuntimeError(fmt::format("launch plan has {} launches but {} functions were given",
                                   plan.launches.size(), functions.size()));
  for (std::size_t i = 0; i < plan.launches.size(); ++i) {
    PackedArgs args(plan.launches[i].args, buffers);
    launch(functions[i], plan.launches[i].config, args.get(), stream);
  }
}

} // namespace lutgemm::cuda
