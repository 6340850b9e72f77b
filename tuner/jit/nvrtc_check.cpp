#include "jit/nvrtc_check.hpp"

#include "common/error.hpp"

#include <fmt/format.h>

namespace lutgemm {

void throw_nvrtc_error(nvrtcResult result, const char* call_text, const char* file, int line) {
  throw RuntimeError(fmt::format("NVRTC call {} failed at {}: {} ({})", call_text,
                                 source_location_text(file, line), nvrtcGetErrorString(result),
                                 static_cast<int>(result)));
}

} // namespace lutgemm
