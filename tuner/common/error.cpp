#include "common/error.hpp"

#include <fmt/format.h>

#include <string_view>

#ifndef LUTGEMM_SOURCE_DIR
#define LUTGEMM_SOURCE_DIR ""
#endif
#ifndef LUTGEMM_BINARY_DIR
#define LUTGEMM_BINARY_DIR ""
#endif

namespace lutgemm {

std::string source_location_text(const char* file, int line) {
  std::string_view path(file);
  // Strip the build machine's absolute prefix: "tuner/jit/nvrtc.cpp:42" reads better in a report.
  // The prefix is the project's source (or build) directory as CMake knows it, not a search for
  // "/tuner/", which would cut in the wrong place when the checkout path itself contains one.
  // The build directory first: it is often inside the source directory (generated sources).
  for (std::string_view root :
       {std::string_view(LUTGEMM_BINARY_DIR), std::string_view(LUTGEMM_SOURCE_DIR)}) {
    if (!root.empty() && path.starts_with(root)) {
      path.remove_prefix(root.size());
      break;
    }
  }
  // A relative __FILE__ ("../../tests/unit/x.cpp") comes from a compiler launched in a subfolder
  // of the build tree with relative paths (ccache's base_dir rewrites them so): drop the climb.
  while (path.starts_with("../"))
    path.remove_prefix(3);
  return fmt::format("{}:{}", path, line);
}

} // namespace lutgemm
