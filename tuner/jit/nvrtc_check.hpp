#pragma once
// The NVRTC error-check family: a failing call throws lutgemm::RuntimeError with the call's text,
// the file and line, and NVRTC's message.
#include <nvrtc.h>

namespace lutgemm {

[[noreturn]] void throw_nvrtc_error(nvrtcResult result, const char* call_text, const char* file,
                                    int line);

inline void nvrtc_check(nvrtcResult result, const char* call_text, const char* file, int line) {
  if (result != NVRTC_SUCCESS)
    throw_nvrtc_error(result, call_text, file, line);
}

// No-throw variant for destructors: returns false on failure instead.
inline bool nvrtc_ok(nvrtcResult result) {
  return result == NVRTC_SUCCESS;
}

} // namespace lutgemm

#define LUTGEMM_NVRTC_CHECK(call) ::lutgemm::nvrtc_check((call), #call, __FILE__, __LINE__)
