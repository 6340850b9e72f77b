#include "cuda/plan_launch.hpp"

#include "common/error.hpp"

#include <fmt/format.h>

#include <cstring>

namespace lutgemm::cuda {

PackedArgs::PackedArgs(const std::vector<KernelArg>& args, const BufferBindings& buffers)
    : slots_(args.size(), 0) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    const KernelArg& arg = args[i];
    void* slot = &slots_[i];
    switch (arg.kind) {
    case KernelArg::Kind::buffer: {
      auto it = buffers.find(arg.buffer);
      if (it == buffers.end()) {
        std::string bound;
        for (const auto& [name, ptr] : buffers)
          bound += (bound.empty() ? "" : ", ") + name;
        throw RuntimeError(fmt::format("kernel argument {} names buffer '{}', which is not bound "
                                       "(bound: {})",
                                       i, arg.buffer, bound.empty() ? "none" : bound));
      }
      std::memcpy(slot, &it->second, sizeof(CUdeviceptr));
      break;
    }
    case KernelArg::Kind::i32: {
      const auto value = static_cast<std::int32_t>(arg.int_value);
      std::memcpy(slot, &value, sizeof value);
      break;
    }
    case KernelArg::Kind::i64: {
      const std::int64_t value = arg.int_value;
      std::memcpy(slot, &value, sizeof value);
      break;
    }
    case KernelArg::Kind::f32: {
      const float value = arg.float_value;
      std::memcpy(slot, &value, sizeof value);
      break;
    }
    }
  }
  for (auto& slot : slots_)
    pointers_.push_back(&slot);
}

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
