#pragma once
#include <string>

namespace lutgemm::cli {
// "lutgemm 0.1.0 (git abc123), CUDA toolkit 13.0.x, NVRTC 13.0" for --version.
std::string version_text();
} // namespace lutgemm::cli
