#include "baselines/cublas_check.hpp"

#include <cublas_v2.h>
#include <fmt/format.h>

#include <cstdio>

namespace lutgemm::baselines {

std::string format_cublas_error(cublasStatus_t status, std::string_view call, const char* file,
                                int line) {
  // Both functions are plain tables inside libcublas: they work without a GPU or a driver.
  const char* name = cublasGetStatusName(status);
  const char* text = cublasGetStatusString(status);
  return fmt::format("{} failed at {}: {}{}", call, source_location_text(file, line),
                     name ? name : fmt::format("CUBLAS_STATUS_{}", int(status)),
                     text ? fmt::format(" ({})", text) : std::string());
}

bool check_cublas_nothrow(cublasStatus_t status, std::string_view call, const char* file,
                          int line) noexcept {
  if (status == CUBLAS_STATUS_SUCCESS)
    return true;
  try {
    std::fprintf(stderr, "lutgemm: warning: %s\n",
                 format_cublas_error(status, call, file, line).c_str());
  } catch (...) {
    std::fprintf(stderr, "lutgemm: warning: a cuBLAS call failed (status %d)\n", int(status));
  }
  return false;
}

} // namespace lutgemm::baselines
