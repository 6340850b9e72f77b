#include "backend/cuda_backend.hpp"

#include "common/error.hpp"
#include "cuda/check.hpp"
#include "cuda/event.hpp"
#include "cuda/event_sampling.hpp"
#include "cuda/plan_launch.hpp"
#include "jit/plan_compile.hpp"

#include <fmt/format.h>

#include <chrono>

namespace lutgemm::backend {
namespace {

// 0xFFFF is an fp16 NaN: an element the plan never writes fails verification. Launch plans zero
// what they accumulate into themselves (tuner/jit/launch_plan.hpp), so no plan relies on zeroes.
constexpr std::uint8_t kUnwrittenPattern = 0xFF;

// A sweep loads hundreds of modules, each used by one evaluation (and maybe a re-measure, which
// prepares again): beyond this many loaded ones, all are unloaded before the next plan loads.
constexpr std::size_t kMaxLoadedModules = 16;

// The driver is loaded (and the lack of it reported) before the context is touched.
int checked_ordinal(int ordinal) {
  (void)cuda::driver(); // throws DriverUnavailable with the one line
  return ordinal;
}

} // namespace

CudaBackend::CudaBackend(int ordinal, std::shared_ptr<NvrtcCompiler> compiler)
    : context_(checked_ordinal(ordinal)), properties_(cuda::query_device(ordinal)),
      compiler_(std::move(compiler)) {}

void CudaBackend::upload(const std::string& name, const void* data, std::size_t bytes) {
  cuda::DeviceBuffer buffer(bytes);
  buffer.upload(data, bytes);
  buffers_[name] = std::move(buffer);
}

void CudaBackend::allocate(const std::string& name, std::size_t bytes) {
  buffers_[name] = cuda::DeviceBuffer(bytes);
}

std::vector<std::uint8_t> CudaBackend::download(const std::string& name) {
  auto it = buffers_.find(name);
  if (it == buffers_.end())
    throw RuntimeError(fmt::format("no device buffer named '{}'", name));
  return it->second.download_as<std::uint8_t>(it->second.bytes());
}

void CudaBackend::release_all() {
  buffers_.clear();
}

PrepareResult CudaBackend::prepare(const LaunchPlan& plan) {
  PrepareResult result;
  result.cache_hit = true;
  if (modules_.size() >= kMaxLoadedModules) {
    kernels_.clear(); // handles into the modules about to be unloaded
    modules_.clear();
  }
  for (const auto& launch : plan.launches) {
    bool hit = false;
    std::shared_ptr<const CompiledKernel> kernel;
    try {
      kernel = compiler_->compile(launch.spec, properties_.arch(), &hit);
    } catch (const CompileError& e) {
      result.disposition = Disposition::compile_error;
      result.log = std::string(e.what()) + "\n" + e.log();
      return result;
    }
    result.cache_hit = result.cache_hit && hit;
    if (!hit)
      result.compile_ms += kernel->compile_ms;
    const auto key = launch.spec.key_text();
    if (!kernels_.count(key)) {
      auto module = std::make_unique<cuda::Module>(
          std::string_view(kernel->cubin.data(), kernel->cubin.size()));
      kernels_[key] = module->function(kernel->lowered_name);
      modules_[kernel->key] = std::move(module);
    }
    const auto attributes = kernels_[key].attributes();
    space::ResourceUsage usage;
    usage.registers = attributes.num_regs;
    usage.static_smem = attributes.static_smem_bytes;
    usage.dynamic_smem = launch.config.dynamic_smem_bytes;
    usage.threads_per_block =
        static_cast<int>(launch.config.block.x * launch.config.block.y * launch.config.block.z);
    usage.spill_stores = kernel->resources.spill_store_bytes;
    usage.spill_loads = kernel->resources.spill_load_bytes;
    usage.stack_bytes = kernel->resources.stack_frame_bytes;
    if (&launch == &plan.launches[main_launch_index(plan)])
      result.resources = usage;
  }
  return result;
}

std::vector<cuda::Function> CudaBackend::functions(const LaunchPlan& plan) {
  std::vector<cuda::Function> list;
  for (const auto& launch : plan.launches) {
    auto it = kernels_.find(launch.spec.key_text());
    if (it == kernels_.end())
      throw RuntimeError(fmt::format("{} was not prepared", launch.spec.name_expression));
    list.push_back(it->second);
  }
  return list;
}

cuda::BufferBindings CudaBackend::bindings(const LaunchPlan& plan, std::size_t rotation_set,
                                           const TimingRequest* request) {
  if (plan.workspace_bytes > 0) {
    auto it = buffers_.find("workspace");
    if (it == buffers_.end() || it->second.bytes() < static_cast<std::size_t>(plan.workspace_bytes))
      allocate("workspace", static_cast<std::size_t>(plan.workspace_bytes));
  }
  cuda::BufferBindings b;
  // Rotated copies ("bit_words#3") are bound only through the rotation entries below: binding all
  // of them for every rotation set cost sets x copies map inserts (25 s a variant for a 256x256
  // problem, whose cold-L2 rotation needs thousands of copies).
  for (const auto& [name, buffer] : buffers_)
    if (name.find('#') == std::string::npos)
      b[name] = buffer.ptr();
  if (request != nullptr && !request->rotation.empty()) {
    for (const auto& entry : request->rotation[rotation_set % request->rotation.size()]) {
      const auto eq = entry.find('=');
      const auto copy = buffers_.find(entry.substr(eq + 1));
      if (eq == std::string::npos || copy == buffers_.end())
        throw RuntimeError(fmt::format("rotation entry '{}' names no buffer", entry));
      b[entry.substr(0, eq)] = copy->second.ptr();
    }
  }
  return b;
}

RunResult CudaBackend::run(const LaunchPlan& plan) {
  RunResult result;
  if (poisoned_) {
    result.disposition = Disposition::launch_error;
    result.message = "not run: the CUDA context faulted earlier in this process (retryable)";
    result.retryable = true;
    return result;
  }
  const auto start = std::chrono::steady_clock::now();
  try {
    const auto bound = bindings(plan, 0, nullptr);
    // Device memory is not clean: poison the output and the workspace so that a kernel that
    // writes nothing (or misses elements) cannot pass verification on the previous variant's y.
    for (const char* name : {"y", "workspace"})
      if (auto it = buffers_.find(name); it != buffers_.end())
        it->second.fill(kUnwrittenPattern);
    cuda::enqueue_plan(plan, functions(plan), bound);
    context_.synchronize();
  } catch (const cuda::DriverError& e) {
    poisoned_ = cuda::is_sticky_error(e.code());
    const bool timeout = e.code() == CUDA_ERROR_LAUNCH_TIMEOUT;
    result.disposition = timeout ? Disposition::timeout : Disposition::launch_error;
    result.message = e.what();
  }
  result.wall_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  return result;
}

TimingResult CudaBackend::time(const LaunchPlan& plan, const TimingRequest& request) {
  TimingResult result;
  try {
    const auto list = functions(plan);
    cuda::Stream stream;
    const std::size_t sets = std::max<std::size_t>(1, request.rotation.size());
    std::vector<cuda::BufferBindings> bound;
    for (std::size_t s = 0; s < sets; ++s)
      bound.push_back(bindings(plan, s, &request));
    // Each sample: many back-to-back launches, each on the next rotated buffer set (numbered from
    // 0 again after the warm-up); the warm-up's time sizes the samples.
    cuda::EventSampling how;
    how.warmup = request.warmup;
    how.restart_numbering = true;
    const auto enqueue = [&](std::size_t index, CUstream s) {
      cuda::enqueue_plan(plan, list, bound[index % sets], s);
    };
    const auto sampled =
        cuda::sample_with_events(stream.get(), how, enqueue, [&](const cuda::SamplingProgress& p) {
          if (p.us.empty())
            return true;
          result.stop_reason = measure::should_stop(p.us, p.elapsed_s, request.stop);
          return result.stop_reason == measure::StopReason::keep_going;
        });
    result.samples_us = sampled.us;
    result.clocks =
        fmt::format("peak SM clock {} MHz, memory {} MHz (driver attributes; "
                    "current clocks not read)",
                    properties_.sm_clock_khz / 1000, properties_.memory_clock_khz / 1000);
  } catch (const cuda::DriverError& e) {
    poisoned_ = poisoned_ || cuda::is_sticky_error(e.code());
    result.disposition = Disposition::launch_error;
    result.message = e.what();
  }
  return result;
}

} // namespace lutgemm::backend
