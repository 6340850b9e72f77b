#include "cli/version_text.hpp"

#include "build_info.hpp"

#include <fmt/format.h>
#include <nvrtc.h>

namespace lutgemm::cli {

std::string version_text() {
  int major = 0, minor = 0;
  std::string nvrtc = nvrtcVersion(&major, &minor) == NVRTC_SUCCESS
                          ? fmt::format("{}.{}", major, minor)
                          : std::string("unavailable");
  return fmt::format("lutgemm {} (git {})\nCUDA toolkit {} (built against)\nNVRTC {}",
                     build_info::kVersion, build_info::kGitSha, build_info::kCudaToolkitVersion,
                     nvrtc);
}

} // namespace lutgemm::cli
