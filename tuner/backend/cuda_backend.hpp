#pragma once
// The cuda backend: a real device through the run-time loaded driver API (tuner/cuda/): primary
// context, device buffers, NVRTC-compiled modules (through the compiler's cache tiers), plan
// launches on one stream, CUDA-event timing. Without a driver or device the constructor throws
// cuda::DriverUnavailable with the one line that says why, before doing anything else.
#include "backend/backend.hpp"
#include "cuda/context.hpp"
#include "cuda/device_info.hpp"
#include "cuda/memory.hpp"
#include "cuda/module.hpp"
#include "cuda/plan_launch.hpp"
#include "jit/nvrtc_compiler.hpp"

#include <map>
#include <memory>

namespace lutgemm::backend {

class CudaBackend final : public Backend {
public:
  // `compiler`: shared so that its cache tiers (memory, SQLite) outlive one backend.
  CudaBackend(int ordinal, std::shared_ptr<NvrtcCompiler> compiler);

  BackendKind kind() const override { return BackendKind::cuda; }
  std::string device_name() const override { return properties_.name; }
  const cuda::DeviceProperties& properties() const { return properties_; }

  void upload(const std::string& name, const void* data, std::size_t bytes) override;
  void allocate(const std::string& name, std::size_t bytes) override;
  std::vector<std::uint8_t> download(const std::string& name) override;
  void release_all() override;

  PrepareResult prepare(const LaunchPlan& plan) override;
  RunResult run(const LaunchPlan& plan) override;
  // TimingRequest::rotation entries are "plan_name=copy_name": set i is bound on sample i.
  TimingResult time(const LaunchPlan& plan, const TimingRequest& request) override;

  // True once a kernel fault made the context unusable: nothing later in this process is trusted.
  bool poisoned() const { return poisoned_; }

private:
  cuda::BufferBindings bindings(const LaunchPlan& plan, std::size_t rotation_set,
                                const TimingRequest* request);
  std::vector<cuda::Function> functions(const LaunchPlan& plan);

  cuda::PrimaryContext context_;
  cuda::DeviceProperties properties_;
  std::shared_ptr<NvrtcCompiler> compiler_;
  std::map<std::string, cuda::DeviceBuffer> buffers_;
  std::map<std::string, std::unique_ptr<cuda::Module>> modules_; // by compile key
  std::map<std::string, cuda::Function> kernels_;                // by spec key text
  bool poisoned_ = false;
};

} // namespace lutgemm::backend
