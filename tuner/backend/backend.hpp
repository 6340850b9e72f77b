#pragma once
// One interface for running a LaunchPlan (jit/launch_plan.hpp) on any backend: named buffers,
// prepare (compile + load + resource report), run (with failures as dispositions), and time.
//   cuda  the driver API on a real device (tuner/backend/cuda_backend.*)
//   emu   the host SIMT emulator (tuner/backend/emu_backend.*)
#include "emu/counters.hpp"
#include "jit/launch_plan.hpp"
#include "measure/disposition.hpp"
#include "measure/statistics.hpp"
#include "space/prefilter.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lutgemm::backend {

enum class BackendKind { cuda, emu };
std::string to_string(BackendKind kind);
BackendKind backend_kind_from_string(std::string_view text); // UsageError listing the names

struct PrepareResult {
  Disposition disposition = Disposition::ok; // ok or compile_error
  std::string log;                           // compiler log (always kept for compile errors)
  // Resources of the plan's main launch (jit/plan_compile.hpp main_launch_index); nullopt when
  // the backend cannot tell (the emulator).
  std::optional<space::ResourceUsage> resources;
  double compile_ms = 0;
  bool cache_hit = false;
  // The compile failed for a reason outside the variant (the compiler was killed, ran out of
  // memory): a later run should compile it again.
  bool retryable = false;
};

struct RunResult {
  Disposition disposition = Disposition::ok; // ok, launch_error or timeout
  std::string message;
  double wall_ms = 0;
  // The failure is not the variant's own (the context had faulted before it ran): a later run
  // should evaluate it again.
  bool retryable = false;
  // Counters of the plan's main launch (emu backend with counting on; emu/counters.hpp).
  std::optional<emu::LaunchCounters> counters;
};

struct TimingRequest {
  measure::StopPolicy stop;
  int warmup = 3;
  // Extra buffer sets to rotate through so every timed launch reads cold weights: the backend
  // binds launch i to set i % rotation.size() (names are the plan's names, values the copies).
  std::vector<std::vector<std::string>> rotation;
};

struct TimingResult {
  Disposition disposition = Disposition::ok;
  std::string message;
  std::vector<double> samples_us;
  measure::StopReason stop_reason = measure::StopReason::keep_going;
  std::string clocks; // clock notes from the driver, "" when unknown
};

class Backend {
public:
  virtual ~Backend() = default;
  virtual BackendKind kind() const = 0;
  virtual std::string device_name() const = 0;

  // Buffers by name (copies of host bytes; allocate() gives uninitialized memory).
  virtual void upload(const std::string& name, const void* data, std::size_t bytes) = 0;
  virtual void allocate(const std::string& name, std::size_t bytes) = 0;
  virtual std::vector<std::uint8_t> download(const std::string& name) = 0;
  virtual void release_all() = 0;

  virtual PrepareResult prepare(const LaunchPlan& plan) = 0;
  virtual RunResult run(const LaunchPlan& plan) = 0;
  // Only meaningful on a device; the emulator returns disposition skipped with a reason.
  virtual TimingResult time(const LaunchPlan& plan, const TimingRequest& request) = 0;

  template <class T> void upload(const std::string& name, const std::vector<T>& host) {
    upload(name, host.data(), host.size() * sizeof(T));
  }
};

} // namespace lutgemm::backend
