#pragma once
// Checks made before a tune touches the device, so that a setup that cannot work is one clear
// line and exit 2 instead of a sweep in which every variant fails: NVRTC cannot compile for the
// device's arch, the driver is older than the toolkit's major version (it cannot load what NVRTC
// produces), or the compute mode forbids the contexts the tune needs (PROHIBITED: none at all;
// EXCLUSIVE_PROCESS: one process, while an isolated tune holds one in the parent and one in the
// worker).
#include <string>
#include <vector>

namespace lutgemm::cuda {

struct PreflightFacts {
  int arch = 0;                    // 90 for sm_90
  std::vector<int> supported_arch; // nvrtcGetSupportedArchs
  int driver_version = 0;          // 1000 * major + 10 * minor
  int toolkit_version = 0;         // NVRTC's, same encoding
  int compute_mode = 0;            // CU_COMPUTEMODE_*
  bool isolate = true;             // variants run in a worker process
};

// Every problem found, each one line; empty when the tune can go ahead.
std::vector<std::string> preflight_problems(const PreflightFacts& facts);

// Queries device `ordinal` (no context needed) and NVRTC; throws UsageError with every problem
// ("cannot tune on <device>: <problem>; <problem>") when there is one.
void require_preflight(int ordinal, bool isolate);

// NVRTC's supported architectures and version (encoded as above).
std::vector<int> nvrtc_supported_archs();
int nvrtc_version_code();

} // namespace lutgemm::cuda
