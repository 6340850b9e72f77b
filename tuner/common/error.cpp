#include "common/error.hpp"

#include <fmt/format.h>

#include <string_view>

namespace lutgemm {

std::string source_location_text(const char* file, int line) {
  std::string_view path(file);
  // Strip the build machine's absolute prefix: "tuner/jit/nvrtc.cpp:42" reads better in a report.
  for (std::string_view root : {"/tuner/", "/baselines/", "/tests/"}) {
    if (auto pos = path.rfind(root); pos != std::string_view::npos) {
      path.remove_prefix(pos + 1);
      break;
    }
  }
  return fmt::format("{}:{}", path, line);
}

} // namespace lutgemm
