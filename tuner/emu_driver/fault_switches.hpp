#pragma once
// The emulated driver's switches, read once from the environment, that make it behave like a GPU in
// the states tests must cover:
//   LUTGEMM_EMUCUDA_TARGET=a100-80gb
//       the built-in target (tuner/targets) whose attributes it reports
//   LUTGEMM_EMUCUDA_FAULT_LAUNCH=n
//       the n-th launch of a process faults with CUDA_ERROR_ILLEGAL_ADDRESS, sticky: every later
//       call fails
//   LUTGEMM_EMUCUDA_FAULT_MARKER=path
//       with FAULT_LAUNCH: fault only while `path` does not exist, and create it when faulting (one
//       fault across worker restarts)
//   LUTGEMM_EMUCUDA_EXCLUSIVE=1
//       compute mode EXCLUSIVE_PROCESS: a second process's context is refused with
//       CUDA_ERROR_DEVICE_UNAVAILABLE
//   LUTGEMM_EMUCUDA_LOCK=path
//       the lock file that enforces it (default under /tmp)
//   LUTGEMM_EMUCUDA_MEMORY=bytes
//       device memory size: allocations past it get CUDA_ERROR_OUT_OF_MEMORY
//   LUTGEMM_EMUCUDA_REUSE=1
//       freed blocks are handed out again, contents intact, to allocations of the same size (as
//       caching allocators do)
//   LUTGEMM_EMUCUDA_THREADS=n
//       OS threads the emulator runs blocks on (0: all cores)
//   LUTGEMM_EMUCUDA_BROKEN_KERNEL=text
//       launches of kernels whose lowered name contains `text` succeed without running: a broken
//       kernel that writes nothing. What every check downstream must catch (verification,
//       scripts/gpu-validate), and cannot be told apart from a real bug by them.
#include <cstddef>
#include <cstdint>
#include <string>

namespace lutgemm::emucuda {

struct FaultSwitches {
  std::string target = "a100-80gb";
  long fault_launch = 0; // 0: never
  std::string fault_marker;
  bool exclusive = false;
  std::string lock_path;
  std::uint64_t memory_bytes = 0; // 0: the target's
  bool reuse_freed = false;
  unsigned threads = 0;
  std::string broken_kernel; // empty: none
};

// Parsed once; a malformed value is reported on stderr and ignored.
const FaultSwitches& switches();

} // namespace lutgemm::emucuda
