// Small parts of the emulator's contract: error kind names, the cache location, the device
// description, and run_plan().
#include "emu/emulator.hpp"

#include "common/error.hpp"
#include "emu/host_compiler.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <thread>
#include <vector>

namespace lutgemm::emu {

std::string to_string(ErrorKind kind) {
  switch (kind) {
  case ErrorKind::compile_error:
    return "compile_error";
  case ErrorKind::launch_config:
    return "launch_config";
  case ErrorKind::out_of_bounds:
    return "out_of_bounds";
  case ErrorKind::barrier_divergence:
    return "barrier_divergence";
  case ErrorKind::deadlock:
    return "deadlock";
  case ErrorKind::shared_race:
    return "shared_race";
  case ErrorKind::timeout:
    return "timeout";
  case ErrorKind::crash:
    return "crash";
  case ErrorKind::interrupted:
    return "interrupted";
  }
  return "unknown";
}

std::string cache_dir() {
  auto env = [](const char* name) -> std::string {
    const char* v = std::getenv(name);
    return v != nullptr ? std::string(v) : std::string();
  };
  if (const std::string dir = env("LUTGEMM_CACHE_DIR"); !dir.empty())
    return dir + "/emu";
  if (const std::string dir = env("XDG_CACHE_HOME"); !dir.empty())
    return dir + "/lutgemm/emu";
  if (const std::string dir = env("HOME"); !dir.empty())
    return dir + "/.cache/lutgemm/emu";
  return "/tmp/lutgemm-cache/emu";
}

EmulatorInfo emulator_info() {
  EmulatorInfo info;
  info.name = "host SIMT emulator";
  try {
    info.compiler = detail::host_compiler() + " (" + detail::host_compiler_version() + ")";
  } catch (const std::exception& e) {
    info.compiler = detail::host_compiler() + " (unusable: " + e.what() + ")";
  }
  info.threads = std::max(1u, std::thread::hardware_concurrency());
  info.cache_dir = cache_dir();
  return info;
}

void run_plan(const LaunchPlan& plan, const std::map<std::string, DeviceBuffer*>& buffers,
              const LaunchOptions& options, std::vector<LaunchCounters>* per_launch) {
  if (per_launch != nullptr)
    per_launch->assign(plan.launches.size(), LaunchCounters{});
  std::size_t index = 0;
  std::optional<DeviceBuffer> workspace;
  auto find = [&](const std::string& name) -> void* {
    if (auto it = buffers.find(name); it != buffers.end() && it->second != nullptr)
      return it->second->data();
    if (name == "workspace" && plan.workspace_bytes > 0) {
      if (!workspace)
        workspace.emplace(static_cast<std::size_t>(plan.workspace_bytes));
      return workspace->data();
    }
    std::string known;
    for (const auto& [n, b] : buffers)
      known += " " + n;
    throw RuntimeError(fmt::format("emu::run_plan: no buffer named '{}' (given:{})", name, known));
  };
  std::map<std::string, std::shared_ptr<const Kernel>> kernels;
  for (const KernelLaunch& l : plan.launches) {
    const std::string key = l.spec.key_text();
    auto it = kernels.find(key);
    if (it == kernels.end())
      it = kernels.emplace(key, load_kernel(l.spec)).first;
    PackedKernelArgs args(l.args, [&](std::size_t, const std::string& name) {
      return reinterpret_cast<std::uint64_t>(find(name));
    });
    LaunchOptions counted = options;
    // A plan opts in to more dynamic shared memory per block when a launch needs it, as the CUDA
    // backend does (cuFuncSetAttribute MAX_DYNAMIC_SHARED_SIZE_BYTES, cuda/module.cpp); the
    // target's own opt-in limit is the pre-filter's check (space/prefilter.cpp).
    if (l.config.dynamic_smem_bytes > 0)
      counted.smem_limit_bytes = std::max(counted.smem_limit_bytes, kSmemOptinBytes);
    if (per_launch != nullptr)
      counted.counters = &(*per_launch)[index];
    launch(*it->second, l.config, args.get(), counted);
    if (per_launch != nullptr && options.counters != nullptr)
      *options.counters += (*per_launch)[index];
    ++index;
  }
}

} // namespace lutgemm::emu
