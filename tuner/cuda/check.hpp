#pragma once
// The driver's check family: every driver call goes through LUTGEMM_CU, which throws DriverError
// naming the call text, the file and line, and the error's name and description:
//   "cuMemAlloc(&ptr, bytes) failed at tuner/cuda/memory.cpp:31: CUDA_ERROR_OUT_OF_MEMORY (out of
//   memory)"
// LUTGEMM_CU_NOTHROW is for destructors and cleanup paths: it reports to stderr and returns false.
//
//   LUTGEMM_CU(cuMemAlloc, &ptr, bytes);       // driver().cuMemAlloc(&ptr, bytes), checked
//   LUTGEMM_CU_NOTHROW(cuMemFree, ptr);
#include "cuda/driver_api.hpp"

#include <string>
#include <string_view>

namespace lutgemm::cuda {

class DriverError : public RuntimeError {
public:
  DriverError(CUresult code, const std::string& message) : RuntimeError(message), code_(code) {}
  CUresult code() const { return code_; }

private:
  CUresult code_;
};

// "CUDA_ERROR_OUT_OF_MEMORY": from the driver when it is loaded, else from a built-in table of the
// common codes, else "CUDA_ERROR_<number>".
std::string result_name(CUresult result);
// The driver's description ("out of memory"), or "" when no driver is loaded.
std::string result_description(CUresult result);

// The message DriverError carries (see above).
std::string format_driver_error(CUresult result, std::string_view call, const char* file, int line);

[[noreturn]] void throw_driver_error(CUresult result, std::string_view call, const char* file,
                                     int line);

inline void check_driver(CUresult result, std::string_view call, const char* file, int line) {
  if (result != CUDA_SUCCESS)
    throw_driver_error(result, call, file, line);
}

// Reports a failure to stderr ("lutgemm: warning: ..."), never throws; returns result == success.
bool check_driver_nothrow(CUresult result, std::string_view call, const char* file,
                          int line) noexcept;

// True for the errors after which the context is unusable (a kernel faulted): callers must not
// trust any later result in this process.
bool is_sticky_error(CUresult result);

} // namespace lutgemm::cuda

#define LUTGEMM_CU(fn, ...)                                                                        \
  ::lutgemm::cuda::check_driver(::lutgemm::cuda::driver().fn(__VA_ARGS__),                         \
                                #fn "(" #__VA_ARGS__ ")", __FILE__, __LINE__)

#define LUTGEMM_CU_NOTHROW(fn, ...)                                                                \
  ::lutgemm::cuda::check_driver_nothrow(::lutgemm::cuda::driver().fn(__VA_ARGS__),                 \
                                        #fn "(" #__VA_ARGS__ ")", __FILE__, __LINE__)
