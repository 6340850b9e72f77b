#include "cuda/check.hpp"

#include <fmt/format.h>

#include <cstdio>

namespace lutgemm::cuda {
namespace {

// Names of the codes a harness meets, for when no driver is loaded to ask (formatting must work on
// a machine without one, and in tests).
const char* builtin_result_name(CUresult result) {
  switch (result) {
#define LUTGEMM_CUDA_RESULT_NAME(code)                                                             \
  case code:                                                                                       \
    return #code;
    LUTGEMM_CUDA_RESULT_NAME(CUDA_SUCCESS)
    LUTGEMM_CUDA_RESULT_NAME(CUDA_ERROR_INVALID_VALUE)
    LUTGEMM_CUDA_RESULT_NAME(CUDA_ERROR_OUT_OF_MEMORY)
    LUTGEMM_CUDA_RESULT_NAME(CUDA_ERROR_NOT_INITIALIZED)
    LUTGEMM_CUDA_RESULT_NAME(CUDA_ERROR_DEINITIALIZED)
    LUTGEMM_CUDA_RESULT_NAME(CUDA_ERROR_STUB_LIBRARY)
    LUTGEMM_CUDA_RESULT_NAME(CUDA_ERROR_DEVICE_UNAVAILABLE)
    LUTGEMM_CUDA_RESULT_NAME(CUDA_ERROR_NO_DEVICE)
    LUTGEMM_CUDA_RESULT_NAME(CUDA_ERROR_INVALID_DEVICE)
    LUTGEMM_CUDA_RESULT_NAME(CUDA_ERROR_INVALID_IMAGE)
    LUTGEMM_CUDA_RESULT_NAME(CUDA_ERROR_INVALID_CONTEXT)
    LUTGEMM_CUDA_RESULT_NAME(CUDA_ERROR_NO_BINARY_FOR_GPU)
    LUTGEMM_CUDA_RESULT_NAME(CUDA_ERROR_ECC_UNCORRECTABLE)
    LUTGEMM_CUDA_RESULT_NAME(CUDA_ERROR_INVALID_PTX)
    LUTGEMM_CUDA_RESULT_NAME(CUDA_ERROR_UNSUPPORTED_PTX_VERSION)
    LUTGEMM_CUDA_RESULT_NAME(CUDA_ERROR_INVALID_SOURCE)
    LUTGEMM_CUDA_RESULT_NAME(CUDA_ERROR_FILE_NOT_FOUND)
    LUTGEMM_CUDA_RESULT_NAME(CUDA_ERROR_INVALID_HANDLE)
    LUTGEMM_CUDA_RESULT_NAME(CUDA_ERROR_NOT_FOUND)
    LUTGEMM_CUDA_RESULT_NAME(CUDA_ERROR_NOT_READY)
    LUTGEMM_CUDA_RESULT_NAME(CUDA_ERROR_ILLEGAL_ADDRESS)
    LUTGEMM_CUDA_RESULT_NAME(CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES)
    LUTGEMM_CUDA_RESULT_NAME(CUDA_ERROR_LAUNCH_TIMEOUT)
    LUTGEMM_CUDA_RESULT_NAME(CUDA_ERROR_ASSERT)
    LUTGEMM_CUDA_RESULT_NAME(CUDA_ERROR_HARDWARE_STACK_ERROR)
    LUTGEMM_CUDA_RESULT_NAME(CUDA_ERROR_ILLEGAL_INSTRUCTION)
    LUTGEMM_CUDA_RESULT_NAME(CUDA_ERROR_MISALIGNED_ADDRESS)
    LUTGEMM_CUDA_RESULT_NAME(CUDA_ERROR_INVALID_ADDRESS_SPACE)
    LUTGEMM_CUDA_RESULT_NAME(CUDA_ERROR_INVALID_PC)
    LUTGEMM_CUDA_RESULT_NAME(CUDA_ERROR_LAUNCH_FAILED)
    LUTGEMM_CUDA_RESULT_NAME(CUDA_ERROR_NOT_PERMITTED)
    LUTGEMM_CUDA_RESULT_NAME(CUDA_ERROR_NOT_SUPPORTED)
    LUTGEMM_CUDA_RESULT_NAME(CUDA_ERROR_SYSTEM_DRIVER_MISMATCH)
    LUTGEMM_CUDA_RESULT_NAME(CUDA_ERROR_UNKNOWN)
#undef LUTGEMM_CUDA_RESULT_NAME
  default:
    return nullptr;
  }
}

} // namespace

std::string result_name(CUresult result) {
  if (const DriverApi* api = driver_functions_or_null()) {
    const char* name = nullptr;
    if (api->cuGetErrorName(result, &name) == CUDA_SUCCESS && name)
      return name;
  }
  if (const char* name = builtin_result_name(result))
    return name;
  return fmt::format("CUDA_ERROR_{}", static_cast<int>(result));
}

std::string result_description(CUresult result) {
  if (const DriverApi* api = driver_functions_or_null()) {
    const char* text = nullptr;
    if (api->cuGetErrorString(result, &text) == CUDA_SUCCESS && text)
      return text;
  }
  return {};
}

std::string format_driver_error(CUresult result, std::string_view call, const char* file,
                                int line) {
  const std::string description = result_description(result);
  return fmt::format("{} failed at {}: {}{}", call, source_location_text(file, line),
                     result_name(result),
                     description.empty() ? std::string() : fmt::format(" ({})", description));
}

void throw_driver_error(CUresult result, std::string_view call, const char* file, int line) {
  throw DriverError(result, format_driver_error(result, call, file, line));
}

bool check_driver_nothrow(CUresult result, std::string_view call, const char* file,
                          int line) noexcept {
  if (result == CUDA_SUCCESS)
    return true;
  try {
    std::fprintf(stderr, "lutgemm: warning: %s\n",
                 format_driver_error(result, call, file, line).c_str());
  } catch (...) {
    std::fprintf(stderr, "lutgemm: warning: a CUDA driver call failed (error %d)\n",
                 static_cast<int>(result));
  }
  return false;
}

bool is_sticky_error(CUresult result) {
  switch (result) {
  case CUDA_ERROR_ILLEGAL_ADDRESS:
  case CUDA_ERROR_ILLEGAL_INSTRUCTION:
  case CUDA_ERROR_MISALIGNED_ADDRESS:
  case CUDA_ERROR_INVALID_ADDRESS_SPACE:
  case CUDA_ERROR_INVALID_PC:
  case CUDA_ERROR_LAUNCH_FAILED:
  case CUDA_ERROR_HARDWARE_STACK_ERROR:
  case CUDA_ERROR_ASSERT:
  case CUDA_ERROR_LAUNCH_TIMEOUT:
  case CUDA_ERROR_ECC_UNCORRECTABLE:
    return true;
  default:
    return false;
  }
}

} // namespace lutgemm::cuda
