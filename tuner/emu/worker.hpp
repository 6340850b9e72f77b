#pragma once
// One OS thread of a launch: takes blocks from the launch's counter and runs each block's threads
// as fibers (Boost.Context fcontext) on a pool of fixed-size stack slots, with barriers and warp
// primitives as scheduling points. Faults inside a fiber (signals, failed checks) leave the fiber
// with siglongjmp back to the worker, which records one EmuError for the launch.
#include "emu/counters.hpp"
#include "emu/device/emu_abi.h"
#include "emu/emulator.hpp"
#include "emu/stack_pool.hpp"

#include <atomic>
#include <csetjmp>
#include <csignal>
#include <cstdint>
#include <memory>
#include <mutex>
#include <pthread.h>
#include <string>
#include <vector>

namespace lutgemm::emu::detail {

// What every worker of one launch shares.
struct LaunchShared {
  std::string kernel_name;
  void (*entry)(void**) = nullptr;
  void** args = nullptr;
  LaunchConfig config;
  LaunchOptions options;
  std::uint64_t total_blocks = 0;
  std::uint32_t threads_per_block = 0;
  void* library_handle = nullptr;    // for the race check's static shared range
  void (*touch_tls)() = nullptr;     // race-check builds: allocates the module's TLS block
  std::size_t static_smem_bytes = 0; // the kernel library's thread_local (static __shared__)
  const std::vector<std::pair<std::size_t, std::size_t>>* tls_guards = nullptr; // LoadedLibrary
  // Counting launches: the device buffers' data ranges [lo, hi), sorted (global accesses).
  std::vector<std::pair<std::uintptr_t, std::uintptr_t>> device_ranges;
  std::atomic<std::uint64_t> next_block{0};
  std::atomic<bool> abort{false};

  // The first error of the launch wins.
  void set_error(ErrorKind kind, std::string message);
  bool has_error() const;
  ErrorKind error_kind() const;
  std::string error_message() const;

private:
  mutable std::mutex mutex_;
  bool has_error_ = false;
  ErrorKind kind_ = ErrorKind::crash;
  std::string message_;
};

enum ThreadState : int { kRunnable = 0, kRunning, kWaitBarrier, kWaitWarp, kDone };

struct Shadow {
  std::uint32_t epoch;
  std::uint16_t writer; // thread linear id + 1, 0 none
  std::uint16_t reader; // thread linear id + 1, 0 none, 0xffff several
  std::uint32_t writer_wsync;
  std::uint32_t reader_wsync;
};

class Worker {
public:
  explicit Worker(LaunchShared& launch);
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  // Runs blocks until none is left or the launch aborts. Never throws.
  void run();

  // Hooks (called on a fiber).
  void barrier(lutgemm_emu::Thread* t, const char* file, unsigned line, int kind, int predicate);
  void warp_op(lutgemm_emu::Thread* t, const char* file, unsigned line);
  void yield(lutgemm_emu::Thread* t);
  void shared_access(lutgemm_emu::Thread* t, const void* addr, std::size_t bytes, bool write);
  void log_full(lutgemm_emu::Thread* t);
  const LaunchCounters& counters() const { return counters_; }

  // For the signal handler.
  void on_fault(int signal, void* address, bool write);
  void on_timeout_signal();

  bool armed() const { return armed_ != 0; }
  bool in_fiber() const { return in_fiber_ != 0; }
  pthread_t native = {};
  // The worker's own stack, for AddressSanitizer's fiber annotations (sanitizer builds).
  const void* main_stack_bottom = nullptr;
  std::size_t main_stack_size = 0;

private:
  bool run_block(std::uint64_t linear_block);
  void suspend(lutgemm_emu::Thread* t);
  // Completes the warp operation `t` waits in if its whole group has arrived (results computed,
  // lanes released); false if not yet. on_fiber: called by `t` itself, which keeps running.
  bool try_complete_warp(lutgemm_emu::Thread* t, bool on_fiber);
  void after_exit(const lutgemm_emu::Thread* exited);
  [[noreturn]] void fail_in_fiber(ErrorKind kind, std::string detail, const lutgemm_emu::Thread* t);
  void fail(ErrorKind kind, const std::string& detail, const lutgemm_emu::Thread* t);
  void diagnose_stall();
  void after_jump(int code);
  std::string where(const lutgemm_emu::Thread* t) const;
  lutgemm_emu::Thread* thread(std::uint32_t i) const { return pool_->thread(i); }
  void setup_race_ranges();
  // Counting launches: adds the logged accesses and counted operations of warp `warp`'s lanes
  // (of every warp) to the launch's counters and clears them.
  void flush_warp_counters(std::uint32_t warp);
  void flush_counters();
  void race_report(lutgemm_emu::Thread* t, std::uintptr_t addr, bool write, std::uint16_t other,
                   bool other_write);

  LaunchShared& launch_;
  std::unique_ptr<StackPool> pool_;
  lutgemm_emu::Block block_{};
  lutgemm_emu::Hooks hooks_{};
  unsigned char* arena_ = nullptr;
  std::size_t arena_bytes_ = 0;
  std::vector<std::uint32_t> queue_;
  std::size_t queue_head_ = 0, queue_tail_ = 0;

  std::uint32_t n_ = 0, live_ = 0, exited_ = 0, arrived_ = 0;
  const lutgemm_emu::Thread* first_exited_ = nullptr;
  const char* bar_file_ = nullptr;
  unsigned bar_line_ = 0;
  const lutgemm_emu::Thread* bar_first_ = nullptr;
  int bar_count_ = 0, bar_and_ = 1, bar_or_ = 0;

  // Race check.
  std::uint32_t epoch_ = 0;
  std::vector<std::uint32_t> wsync_;
  std::vector<Shadow> static_shadow_, dynamic_shadow_;
  std::vector<char> static_ignored_; // initialization guards in the static range (elf_tls.hpp)

  // Counting launches.
  bool counting_ = false;
  AccessLog log_;
  AddressSpaces spaces_;
  LaunchCounters counters_;

  // Fault state (written by the signal handler, read after siglongjmp).
  sigjmp_buf jmp_{};
  volatile sig_atomic_t armed_ = 0;
  volatile sig_atomic_t in_fiber_ = 0;
  lutgemm_emu::Thread* volatile current_ = nullptr;
  volatile int fault_signal_ = 0;
  void* volatile fault_address_ = nullptr;
  volatile bool fault_write_ = false;
  void* altstack_ = nullptr;
  ErrorKind pending_kind_ = ErrorKind::crash;
  std::string pending_detail_;
  const lutgemm_emu::Thread* pending_thread_ = nullptr;
};

// Installs the process-wide fault handlers once (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT and the
// timeout signal); faults outside emulated threads go to the previous handlers.
void install_fault_handlers();
int timeout_signal();

} // namespace lutgemm::emu::detail
