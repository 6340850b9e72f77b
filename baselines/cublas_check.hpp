#pragma once
// The cuBLAS check family (cuBLAS and cuBLASLt share cublasStatus_t): throws CublasError naming the
// call text, file, line and the status name and description:
//   "cublasGemmEx(...) failed at baselines/cublas_gemm.cpp:80: CUBLAS_STATUS_NOT_SUPPORTED (the
//   functionality requested is not supported)"
#include "common/error.hpp"

#include <cublas_api.h>

#include <string>
#include <string_view>

namespace lutgemm::baselines {

class CublasError : public RuntimeError {
public:
  CublasError(cublasStatus_t status, const std::string& message)
      : RuntimeError(message), status_(status) {}
  cublasStatus_t status() const { return status_; }

private:
  cublasStatus_t status_;
};

std::string format_cublas_error(cublasStatus_t status, std::string_view call, const char* file,
                                int line);

inline void check_cublas(cublasStatus_t status, std::string_view call, const char* file, int line) {
  if (status != CUBLAS_STATUS_SUCCESS)
    throw CublasError(status, format_cublas_error(status, call, file, line));
}

// For destructors: reports to stderr, never throws.
bool check_cublas_nothrow(cublasStatus_t status, std::string_view call, const char* file,
                          int line) noexcept;

} // namespace lutgemm::baselines

#define LUTGEMM_CUBLAS(call) ::lutgemm::baselines::check_cublas((call), #call, __FILE__, __LINE__)
#define LUTGEMM_CUBLAS_NOTHROW(call)                                                               \
  ::lutgemm::baselines::check_cublas_nothrow((call), #call, __FILE__, __LINE__)
