#include "backend/emu_backend.hpp"

#include "common/error.hpp"
#include "jit/plan_compile.hpp"

#include <fmt/format.h>

#include <chrono>

namespace lutgemm::backend {

Disposition disposition_for(emu::ErrorKind kind) {
  switch (kind) {
  case emu::ErrorKind::compile_error:
    return Disposition::compile_error;
  case emu::ErrorKind::launch_config:
    return Disposition::resource_limit;
  case emu::ErrorKind::timeout:
  case emu::ErrorKind::deadlock:
    return Disposition::timeout;
  case emu::ErrorKind::out_of_bounds:
  case emu::ErrorKind::barrier_divergence:
  case emu::ErrorKind::shared_race:
  case emu::ErrorKind::crash:
  case emu::ErrorKind::interrupted: // stored retryable (PrepareResult / RunResult)
    return Disposition::launch_error;
  }
  return Disposition::launch_error;
}

EmuBackend::EmuBackend(emu::LaunchOptions options, bool count) : options_(options), count_(count) {}

std::string EmuBackend::device_name() const {
  return "host SIMT emulator";
}

void EmuBackend::upload(const std::string& name, const void* data, std::size_t bytes) {
  emu::DeviceBuffer buffer(bytes);
  buffer.upload(data, bytes);
  buffers_.insert_or_assign(name, std::move(buffer));
}

void EmuBackend::allocate(const std::string& name, std::size_t bytes) {
  buffers_.insert_or_assign(name, emu::DeviceBuffer(bytes));
}

std::vector<std::uint8_t> EmuBackend::download(const std::string& name) {
  auto it = buffers_.find(name);
  if (it == buffers_.end())
    throw RuntimeError(fmt::format("no emulated buffer named '{}'", name));
  std::vector<std::uint8_t> bytes(it->second.size());
  it->second.download(bytes.data(), bytes.size());
  return bytes;
}

void EmuBackend::release_all() {
  buffers_.clear();
}

PrepareResult EmuBackend::prepare(const LaunchPlan& plan) {
  PrepareResult result;
  result.cache_hit = true;
  for (const auto& launch : plan.launches) {
    try {
      auto kernel = emu::load_kernel(launch.spec);
      result.cache_hit = result.cache_hit && kernel->cache_hit();
      result.compile_ms += kernel->compile_ms();
    } catch (const emu::EmuError& e) {
      result.disposition = disposition_for(e.kind());
      result.log = std::string(e.what()) + (e.log().empty() ? "" : "\n" + e.log());
      result.retryable = e.kind() == emu::ErrorKind::interrupted;
      return result;
    }
  }
  return result;
}

RunResult EmuBackend::run(const LaunchPlan& plan) {
  RunResult result;
  std::map<std::string, emu::DeviceBuffer*> bound;
  for (auto& [name, buffer] : buffers_)
    bound[name] = &buffer;
  const auto start = std::chrono::steady_clock::now();
  try {
    std::vector<emu::LaunchCounters> per_launch;
    emu::run_plan(plan, bound, options_, count_ ? &per_launch : nullptr);
    if (count_)
      result.counters = per_launch.at(main_launch_index(plan));
  } catch (const emu::EmuError& e) {
    result.disposition = disposition_for(e.kind());
    result.message = fmt::format("emulator: {}: {}", emu::to_string(e.kind()), e.what());
    result.retryable = e.kind() == emu::ErrorKind::interrupted;
  }
  result.wall_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  return result;
}

TimingResult EmuBackend::time(const LaunchPlan&, const TimingRequest&) {
  TimingResult result;
  result.disposition = Disposition::skipped;
  result.message = "the emulator does not time kernels: its wall time says nothing about a GPU";
  return result;
}

} // namespace lutgemm::backend
