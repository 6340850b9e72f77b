#include "jit/launch_plan.hpp"

#include <cstring>

namespace lutgemm {

PackedKernelArgs::PackedKernelArgs(
    const std::vector<KernelArg>& args,
    const std::function<std::uint64_t(std::size_t index, const std::string& name)>& address_of)
    : slots_(args.size(), 0) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    const KernelArg& arg = args[i];
    void* slot = &slots_[i];
    switch (arg.kind) {
    case KernelArg::Kind::buffer: {
      const std::uint64_t address = address_of(i, arg.buffer);
      std::memcpy(slot, &address, sizeof address);
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

} // namespace lutgemm
