#include "cuda/context.hpp"

#include "cuda/check.hpp"

#include <fmt/format.h>

namespace lutgemm::cuda {

PrimaryContext::PrimaryContext(int ordinal) : ordinal_(ordinal) {
  const DriverApi& api = driver(); // throws the one-line reason without a driver or device
  (void)api;
  const int count = driver_status().device_count;
  if (ordinal < 0 || ordinal >= count)
    throw UsageError(fmt::format("CUDA device {} does not exist (this machine has {} device{}: "
                                 "0..{})",
                                 ordinal, count, count == 1 ? "" : "s", count - 1));
  LUTGEMM_CU(cuDeviceGet, &device_, ordinal);
  LUTGEMM_CU(cuDevicePrimaryCtxRetain, &context_, device_);
  try {
    make_current();
  } catch (...) {
    LUTGEMM_CU_NOTHROW(cuDevicePrimaryCtxRelease, device_);
    throw;
  }
}

PrimaryContext::~PrimaryContext() {
  if (context_)
    LUTGEMM_CU_NOTHROW(cuDevicePrimaryCtxRelease, device_);
}

void PrimaryContext::make_current() const {
  LUTGEMM_CU(cuCtxSetCurrent, context_);
}

void PrimaryContext::synchronize() const {
  LUTGEMM_CU(cuCtxSynchronize);
}

} // namespace lutgemm::cuda
