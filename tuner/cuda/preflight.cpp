#include "cuda/preflight.hpp"

#include "common/error.hpp"
#include "cuda/device_info.hpp"
#include "cuda/driver_api.hpp"

#include <cuda.h>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nvrtc.h>

#include <algorithm>

namespace lutgemm::cuda {

std::vector<std::string> preflight_problems(const PreflightFacts& f) {
  std::vector<std::string> problems;
  if (!f.supported_arch.empty() &&
      std::find(f.supported_arch.begin(), f.supported_arch.end(), f.arch) == f.supported_arch.end())
    problems.push_back(fmt::format("NVRTC {} cannot compile for the device's sm_{} (it supports "
                                   "sm_{})",
                                   driver_version_text(f.toolkit_version), f.arch,
                                   fmt::join(f.supported_arch, ", sm_")));
  // Minor-version compatibility: a driver loads code from any toolkit of its major version or
  // older; a newer major needs a newer driver.
  if (f.driver_version > 0 && f.toolkit_version > 0 &&
      f.driver_version / 1000 < f.toolkit_version / 1000)
    problems.push_back(fmt::format("the CUDA driver {} is older than NVRTC {} (major version): it "
                                   "cannot load the kernels; update the driver",
                                   driver_version_text(f.driver_version),
                                   driver_version_text(f.toolkit_version)));
  if (f.compute_mode == CU_COMPUTEMODE_PROHIBITED)
    problems.push_back("the device's compute mode is PROHIBITED: no process may create a context");
  else if (f.compute_mode == CU_COMPUTEMODE_EXCLUSIVE_PROCESS && f.isolate)
    problems.push_back("the device's compute mode is EXCLUSIVE_PROCESS: the worker process cannot "
                       "open a context while tune holds one; run with --no-isolate");
  return problems;
}

void require_preflight(int ordinal, bool isolate) {
  const auto props = query_device(ordinal);
  PreflightFacts facts;
  facts.arch = props.cc_major * 10 + props.cc_minor;
  facts.supported_arch = nvrtc_supported_archs();
  facts.driver_version = props.driver_version;
  facts.toolkit_version = nvrtc_version_code();
  facts.compute_mode = props.compute_mode;
  facts.isolate = isolate;
  const auto problems = preflight_problems(facts);
  if (!problems.empty())
    throw UsageError(fmt::format("cannot tune on {}: {}", props.name, fmt::join(problems, "; ")));
}

std::vector<int> nvrtc_supported_archs() {
  int count = 0;
  if (nvrtcGetNumSupportedArchs(&count) != NVRTC_SUCCESS || count <= 0)
    return {};
  std::vector<int> archs(static_cast<std::size_t>(count));
  if (nvrtcGetSupportedArchs(archs.data()) != NVRTC_SUCCESS)
    return {};
  return archs;
}

int nvrtc_version_code() {
  int major = 0, minor = 0;
  if (nvrtcVersion(&major, &minor) != NVRTC_SUCCESS)
    return 0;
  return 1000 * major + 10 * minor;
}

} // namespace lutgemm::cuda
