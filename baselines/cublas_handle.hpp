#pragma once
// RAII cuBLAS and cuBLASLt handles. Creating one first checks, through the driver layer, that a
// device exists, so that a machine without one gets the driver layer's one-line reason instead of
// cuBLAS's generic CUBLAS_STATUS_NOT_INITIALIZED.
#include <cublasLt.h>
#include <cublas_v2.h>

namespace lutgemm::baselines {

class CublasHandle {
public:
  CublasHandle();
  ~CublasHandle();
  CublasHandle(const CublasHandle&) = delete;
  CublasHandle& operator=(const CublasHandle&) = delete;
  cublasHandle_t get() const { return handle_; }

private:
  cublasHandle_t handle_ = nullptr;
};

class CublasLtHandle {
public:
  CublasLtHandle();
  ~CublasLtHandle();
  CublasLtHandle(const CublasLtHandle&) = delete;
  CublasLtHandle& operator=(const CublasLtHandle&) = delete;
  cublasLtHandle_t get() const { return handle_; }

private:
  cublasLtHandle_t handle_ = nullptr;
};

} // namespace lutgemm::baselines
