#pragma once
// The host SIMT emulator: runs the project's CUDA kernels (kernels/*.cuh), exactly as NVRTC
// compiles them for a GPU, on the CPU. A KernelSpec is compiled by the host C++ compiler into a
// shared library (cached on disk), loaded, and launched like cuLaunchKernel: grid, block, dynamic
// shared memory and an array of pointers to the argument values. Blocks run on a pool of OS
// threads; the threads of a block run as fibers (Boost.Context). Faults are reported as EmuError
// naming the kernel, block, thread and address; nothing hangs.
//
// This header is the contract used by the emu backend (tuner/backend/emu_backend.*), the tests
// and `lutgemm devices`. The device-side runtime lives in tuner/emu/device/.
#include "emu/counters.hpp"
#include "jit/kernel_spec.hpp"
#include "jit/launch_plan.hpp"

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace lutgemm::emu {

enum class ErrorKind {
  compile_error,      // the host compiler rejected the generated translation unit (log kept)
  launch_config,      // grid/block/shared memory rejected before launch, as the driver would
  out_of_bounds,      // a global access hit a guard page around an emulated device buffer
  barrier_divergence, // threads of a block exited or waited at different barriers
  deadlock,           // no fiber of a block can make progress
  shared_race,        // two threads touched one shared address between barriers (race check)
  timeout,            // the launch ran past LaunchOptions::timeout_s
  crash,              // any other fatal signal inside the kernel (isolated launches only)
  interrupted, // the launch child or the host compiler was killed from outside (a user's kill, the
               // OOM killer) or ran out of memory: says nothing about the kernel, a resume retries
};
std::string to_string(ErrorKind kind);

class EmuError : public std::runtime_error {
public:
  EmuError(ErrorKind kind, const std::string& what, std::string log = {})
      : std::runtime_error(what), kind_(kind), log_(std::move(log)) {}
  ErrorKind kind() const { return kind_; }
  const std::string& log() const { return log_; } // compiler log for compile_error
private:
  ErrorKind kind_;
  std::string log_;
};

// The most shared memory per block a launch may opt in to (sm_90's 227 KiB, the largest here).
inline constexpr std::uint32_t kSmemOptinBytes = 227 * 1024;

struct LaunchOptions {
  std::uint32_t smem_limit_bytes = 48 * 1024; // per block (static + dynamic); 227 KB is opt-in
  bool race_check = false;                    // slower: track shared accesses between barriers
  unsigned worker_threads = 0;                // OS threads running blocks; 0 = all cores
  double timeout_s = 120;                     // whole launch
  // Run the launch in a forked child, so a crash or an out-of-bounds access in the kernel becomes
  // an EmuError instead of ending this process. Buffers are copied back on success.
  bool isolate = false;
  // When set, the launch runs the instrumented build and adds its counters here (counters.hpp);
  // counting costs a few times an uncounted launch.
  LaunchCounters* counters = nullptr;
};

// A guard-paged allocation standing in for device memory: any access before its first byte or
// past its last byte faults and is reported as out_of_bounds (the end of the data is aligned to the
// guard page, so even a one-element overrun is caught).
class DeviceBuffer {
public:
  explicit DeviceBuffer(std::size_t bytes);
  ~DeviceBuffer();
  DeviceBuffer(DeviceBuffer&&) noexcept;
  DeviceBuffer& operator=(DeviceBuffer&&) noexcept;
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;

  void* data() const { return data_; }
  std::size_t size() const { return bytes_; }
  void upload(const void* src, std::size_t bytes);   // bytes <= size()
  void download(void* dst, std::size_t bytes) const; // bytes <= size()

private:
  void release() noexcept;
  void* mapping_ = nullptr;
  std::size_t mapping_bytes_ = 0;
  void* data_ = nullptr;
  std::size_t bytes_ = 0;
};

// A kernel compiled for the host and loaded.
class Kernel {
public:
  virtual ~Kernel() = default;
  virtual const KernelSpec& spec() const = 0;
  virtual bool cache_hit() const = 0;    // the shared library came from the disk cache
  virtual double compile_ms() const = 0; // 0 on a cache hit
  virtual std::string library_path() const = 0;
};

// Compiles (or finds in the disk cache, key: source hash + spec + compiler + flags) and loads.
// Throws EmuError(compile_error) with the compiler's log.
std::shared_ptr<const Kernel> load_kernel(const KernelSpec& spec);

// A host compile running past this many seconds is killed and reported as EmuError(timeout)
// (default 600; `tune --variant-timeout` sets it). Process-wide.
void set_compile_timeout(double seconds);
double compile_timeout();

// One launch, like cuLaunchKernel: args[i] points at the value of the kernel's i-th parameter.
// Throws EmuError on any fault or rejected configuration.
void launch(const Kernel& kernel, const LaunchConfig& config, void** args,
            const LaunchOptions& options = {});

// Every launch of a plan in order, buffers bound by name; "workspace" is allocated here when the
// plan needs one and the map does not hold it. `per_launch`: when given, every launch is counted
// and (*per_launch)[i] holds launch i's counters (options.counters, if set, gets their sum).
void run_plan(const LaunchPlan& plan, const std::map<std::string, DeviceBuffer*>& buffers,
              const LaunchOptions& options = {}, std::vector<LaunchCounters>* per_launch = nullptr);

// $LUTGEMM_CACHE_DIR/emu, else $XDG_CACHE_HOME/lutgemm/emu, else $HOME/.cache/lutgemm/emu.
std::string cache_dir();

struct EmulatorInfo {
  std::string name;     // "host SIMT emulator"
  std::string compiler; // host compiler and version used for kernels
  unsigned threads = 0; // OS threads used for blocks
  std::uint32_t smem_limit_bytes = 48 * 1024;
  std::uint32_t smem_optin_bytes = kSmemOptinBytes;
  std::string cache_dir;
};
EmulatorInfo emulator_info();

} // namespace lutgemm::emu
