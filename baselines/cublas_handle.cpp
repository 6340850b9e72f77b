#include "baselines/cublas_handle.hpp"

#include "baselines/cublas_check.hpp"
#include "cuda/driver_api.hpp"

namespace lutgemm::baselines {

CublasHandle::CublasHandle() {
  (void)cuda::driver(); // throws DriverUnavailable with the one-line reason
  LUTGEMM_CUBLAS(cublasCreate(&handle_));
}

CublasHandle::~CublasHandle() {
  if (handle_)
    LUTGEMM_CUBLAS_NOTHROW(cublasDestroy(handle_));
}

CublasLtHandle::CublasLtHandle() {
  (void)cuda::driver();
  LUTGEMM_CUBLAS(cublasLtCreate(&handle_));
}

CublasLtHandle::~CublasLtHandle() {
  if (handle_)
    LUTGEMM_CUBLAS_NOTHROW(cublasLtDestroy(handle_));
}

} // namespace lutgemm::baselines
