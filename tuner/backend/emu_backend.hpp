#pragma once
// The emu backend: the host SIMT emulator (tuner/emu/emulator.hpp). The same kernels and launch
// plans as on a GPU, compiled by the host compiler; emulator reports (out-of-bounds access, barrier
// divergence, deadlock, timeout, a rejected configuration) become dispositions. It has no timing:
// time() answers skipped, because an emulated wall time says nothing about a GPU.
#include "backend/backend.hpp"
#include "emu/emulator.hpp"

#include <map>
#include <memory>

namespace lutgemm::backend {

// How an emulator report is recorded.
Disposition disposition_for(emu::ErrorKind kind);

class EmuBackend final : public Backend {
public:
  // count: run() counts the plan's main launch (instrumented build: a second host compile of each
  // kernel, and a few times the launch time) and returns its counters.
  explicit EmuBackend(emu::LaunchOptions options = {}, bool count = false);

  BackendKind kind() const override { return BackendKind::emu; }
  std::string device_name() const override;

  void upload(const std::string& name, const void* data, std::size_t bytes) override;
  void allocate(const std::string& name, std::size_t bytes) override;
  std::vector<std::uint8_t> download(const std::string& name) override;
  void release_all() override;

  PrepareResult prepare(const LaunchPlan& plan) override;
  RunResult run(const LaunchPlan& plan) override;
  TimingResult time(const LaunchPlan& plan, const TimingRequest& request) override;

private:
  emu::LaunchOptions options_;
  bool count_ = false;
  std::map<std::string, emu::DeviceBuffer> buffers_;
};

} // namespace lutgemm::backend
