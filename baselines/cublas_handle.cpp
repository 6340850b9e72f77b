#include "baselines/cublas_handle.hpp"

#include "baselines/cublas_api.hpp"
#include "baselines/cublas_check.hpp"
#include "cuda/driver_api.hpp"

#include <fmt/format.h>

namespace lutgemm::baselines {

CublasHandle::CublasHandle() {
  (void)cuda::driver(); // throws DriverUnavailable with the one-line reason
  LUTGEMM_CUBLAS(cublas_api().create(&handle_));
}

CublasHandle::~CublasHandle() {
  if (handle_)
    LUTGEMM_CUBLAS_NOTHROW(cublas_api().destroy(handle_));
}

CublasLtHandle::CublasLtHandle() {
  if (cublas_api().emulated) // also throws DriverUnavailable without a driver
    throw RuntimeError(fmt::format("cuBLASLt cannot run on the emulated CUDA device ({}): it has "
                                   "no stand-in there, and real cuBLASLt needs a GPU",
                                   cublas_api().source));
  LUTGEMM_CUBLAS(cublasLtCreate(&handle_));
}

CublasLtHandle::~CublasLtHandle() {
  if (handle_)
    LUTGEMM_CUBLAS_NOTHROW(cublasLtDestroy(handle_));
}

} // namespace lutgemm::baselines
