#pragma once
// The classic cuBLAS entry points the baseline providers call, as a table: the linked libcublas,
// or, when the CUDA driver in use is the project's emulated one (LUTGEMM_CUDA_DRIVER naming
// libemucuda.so, which exports a cuBLAS stand-in: tuner/emu_driver/emulated_cublas.cpp), that
// stand-in. Real cuBLAS must never see the emulated device's addresses: it talks to the real
// driver, which has no GPU here and, on a machine with one, would be handed host pointers.
//
// cuBLASLt is not in the table: it has no stand-in, and CublasLtHandle refuses to start on the
// emulated device (cublas_handle.cpp).
#include <cublas_api.h>

#include <string>

namespace lutgemm::baselines {

struct CublasApi {
  using Create = cublasStatus_t (*)(cublasHandle_t*);
  using Destroy = cublasStatus_t (*)(cublasHandle_t);
  using SetStream = cublasStatus_t (*)(cublasHandle_t, cudaStream_t);
  using GemmEx = cublasStatus_t (*)(cublasHandle_t, cublasOperation_t, cublasOperation_t, int, int,
                                    int, const void*, const void*, cudaDataType, int, const void*,
                                    cudaDataType, int, const void*, void*, cudaDataType, int,
                                    cublasComputeType_t, cublasGemmAlgo_t);
  using Sgemm = cublasStatus_t (*)(cublasHandle_t, cublasOperation_t, cublasOperation_t, int, int,
                                   int, const float*, const float*, int, const float*, int,
                                   const float*, float*, int);
  Create create = nullptr;
  Destroy destroy = nullptr;
  SetStream set_stream = nullptr;
  GemmEx gemm_ex = nullptr;
  Sgemm sgemm = nullptr;
  bool emulated = false; // the emulated driver's stand-in
  std::string source;    // "libcublas" or the driver library that provides it
};

// Resolved on first use, after the CUDA driver (throws cuda::DriverUnavailable without one, and
// RuntimeError naming the missing entry points when a stand-in is incomplete).
const CublasApi& cublas_api();

} // namespace lutgemm::baselines
