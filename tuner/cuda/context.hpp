#pragma once
// RAII over the device's primary context: the one the CUDA runtime (and so cuBLAS) also uses, so
// memory allocated here through the driver is valid in cuBLAS calls and vice versa.
#include "cuda/driver_api.hpp"

namespace lutgemm::cuda {

class PrimaryContext {
public:
  // Retains device `ordinal`'s primary context and makes it current on this thread. Throws
  // DriverUnavailable (no driver/device) or a UsageError for an ordinal out of range.
  explicit PrimaryContext(int ordinal = 0);
  ~PrimaryContext();
  PrimaryContext(const PrimaryContext&) = delete;
  PrimaryContext& operator=(const PrimaryContext&) = delete;

  // Makes the context current on the calling thread (needed on threads other than the creator's).
  void make_current() const;
  // cuCtxSynchronize: waits for all work; a kernel fault surfaces here as a DriverError.
  void synchronize() const;

  int ordinal() const { return ordinal_; }
  CUdevice device() const { return device_; }
  CUcontext get() const { return context_; }

private:
  int ordinal_ = 0;
  CUdevice device_ = 0;
  CUcontext context_ = nullptr;
};

} // namespace lutgemm::cuda
