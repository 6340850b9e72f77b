// The emulated device's cuBLAS: the classic entry points the baseline providers call
// (baselines/cublas_api.hpp), computed on the host over the emulated driver's memory. Real cuBLAS
// cannot run here: it talks to the real driver, which either has no GPU or would be handed the
// emulator's addresses. With this stand-in the cuBLAS and OPTQ dequantize-then-GEMM providers run
// end to end on the emulated device (allocation, streams, timing, verification), so a wrong
// operand, transpose, leading dimension or type in a provider's call shows up as a wrong result.
//
// The arithmetic follows cuBLAS's documented contract, not its kernels: column-major operands,
// C = alpha op(A) op(B) + beta C with C not read when beta is 0, the argument checks of the
// cuBLAS reference (CUBLAS_STATUS_INVALID_VALUE), the sums in the compute type (fp32, fp16 rounded
// after every multiply-add, int32). It says nothing about cuBLAS's speed or its summation order;
// its event times are wall-clock of a host loop.
//
// Exported as lutgemm_emucublas_* (exports.map), never under cuBLAS's own names: a process that
// links the real libcublas keeps it, and baselines/cublas_api.cpp picks these only when the driver
// it loaded is this library.
#include "common/half.hpp"
#include "emu_driver/device_access.hpp"

#include <cublas_api.h>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>

// cuBLAS's handle type is a pointer to this (incomplete in cublas_api.h).
struct cublasContext {
  CUstream stream = nullptr; // synchronous like every stream of the emulated driver
};

namespace lutgemm::emucuda {
namespace {

// One operand as cuBLAS reads it: op(X) is rows x cols, stored column-major with leading
// dimension ld, transposed when `trans`.
struct Operand {
  const void* data = nullptr;
  cudaDataType type = CUDA_R_32F;
  int ld = 0;
  bool trans = false;

  double at(std::int64_t row, std::int64_t col) const {
    const std::int64_t index = trans ? col + row * std::int64_t(ld) : row + col * std::int64_t(ld);
    switch (type) {
    case CUDA_R_16F:
      return half_to_float(static_cast<const std::uint16_t*>(data)[index]);
    case CUDA_R_8I:
      return static_cast<const std::int8_t*>(data)[index];
    case CUDA_R_32I:
      return static_cast<const std::int32_t*>(data)[index];
    default:
      return static_cast<const float*>(data)[index];
    }
  }
};

std::size_t element_bytes(cudaDataType type) {
  switch (type) {
  case CUDA_R_16F:
    return 2;
  case CUDA_R_8I:
    return 1;
  default:
    return 4; // CUDA_R_32F, CUDA_R_32I
  }
}

// Bytes a column-major rows x cols matrix with leading dimension ld spans from its first element.
std::size_t extent_bytes(std::int64_t rows, std::int64_t cols, int ld, cudaDataType type) {
  if (rows == 0 || cols == 0)
    return 0;
  return static_cast<std::size_t>((cols - 1) * std::int64_t(ld) + rows) * element_bytes(type);
}

// The type combinations the providers use (cuBLAS supports more; they are refused, by name).
enum class Compute { f32, f16, i32 };

bool supported(cudaDataType ab, cudaDataType c, cublasComputeType_t compute, Compute* kind) {
  switch (compute) {
  case CUBLAS_COMPUTE_32F:
  case CUBLAS_COMPUTE_32F_PEDANTIC:
    *kind = Compute::f32;
    return (ab == CUDA_R_16F && (c == CUDA_R_16F || c == CUDA_R_32F)) ||
           (ab == CUDA_R_32F && c == CUDA_R_32F);
  case CUBLAS_COMPUTE_16F:
  case CUBLAS_COMPUTE_16F_PEDANTIC:
    *kind = Compute::f16;
    return ab == CUDA_R_16F && c == CUDA_R_16F;
  case CUBLAS_COMPUTE_32I:
  case CUBLAS_COMPUTE_32I_PEDANTIC:
    *kind = Compute::i32;
    return ab == CUDA_R_8I && c == CUDA_R_32I;
  default:
    return false;
  }
}

// alpha or beta, a host value of the compute type (the default CUBLAS_POINTER_MODE_HOST).
double scalar(const void* value, Compute kind) {
  switch (kind) {
  case Compute::f16:
    return half_to_float(*static_cast<const std::uint16_t*>(value));
  case Compute::i32:
    return *static_cast<const std::int32_t*>(value);
  default:
    return *static_cast<const float*>(value);
  }
}

void store(void* c, std::int64_t index, cudaDataType type, double value) {
  switch (type) {
  case CUDA_R_16F:
    static_cast<std::uint16_t*>(c)[index] = float_to_half(float(value));
    break;
  case CUDA_R_32I:
    static_cast<std::int32_t*>(c)[index] = static_cast<std::int32_t>(value);
    break;
  default:
    static_cast<float*>(c)[index] = float(value);
  }
}

struct Gemm {
  int m = 0, n = 0, k = 0;
  Operand a, b;
  void* c = nullptr;
  cudaDataType c_type = CUDA_R_32F;
  int ldc = 0;
  Compute compute = Compute::f32;
  double alpha = 1, beta = 0;

  void run() const {
    for (std::int64_t j = 0; j < n; ++j)
      for (std::int64_t i = 0; i < m; ++i) {
        double sum = 0;
        if (compute == Compute::i32) {
          std::int64_t acc = 0;
          for (std::int64_t l = 0; l < k; ++l)
            acc += std::int64_t(a.at(i, l)) * std::int64_t(b.at(l, j));
          sum = double(static_cast<std::int32_t>(acc)); // int32 accumulator
        } else if (compute == Compute::f16) {
          float acc = 0; // an fp16 value, rounded after every multiply-add (HFMA)
          for (std::int64_t l = 0; l < k; ++l)
            acc = half_to_float(float_to_half(std::fma(float(a.at(i, l)), float(b.at(l, j)), acc)));
          sum = acc;
        } else {
          float acc = 0;
          for (std::int64_t l = 0; l < k; ++l)
            acc = std::fma(float(a.at(i, l)), float(b.at(l, j)), acc);
          sum = acc;
        }
        const std::int64_t index = i + j * std::int64_t(ldc);
        const double old = beta != 0 ? Operand{c, c_type, ldc, false}.at(i, j) : 0.0;
        store(c, index, c_type, alpha * sum + beta * old);
      }
  }
};

bool is_op(cublasOperation_t op) {
  return op == CUBLAS_OP_N || op == CUBLAS_OP_T;
}

cublasStatus_t gemm(cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb,
                    int m, int n, int k, const void* alpha, const void* a, cudaDataType a_type,
                    int lda, const void* b, cudaDataType b_type, int ldb, const void* beta, void* c,
                    cudaDataType c_type, int ldc, cublasComputeType_t compute) {
  if (!handle)
    return CUBLAS_STATUS_NOT_INITIALIZED;
  // The reference implementation's argument checks, in its order.
  if (!is_op(transa) || !is_op(transb) || m < 0 || n < 0 || k < 0 ||
      lda < std::max(1, transa == CUBLAS_OP_N ? m : k) ||
      ldb < std::max(1, transb == CUBLAS_OP_N ? k : n) || ldc < std::max(1, m) || !alpha || !beta)
    return CUBLAS_STATUS_INVALID_VALUE;
  Gemm g;
  if (a_type != b_type || !supported(a_type, c_type, compute, &g.compute))
    return CUBLAS_STATUS_NOT_SUPPORTED;
  if (m == 0 || n == 0)
    return CUBLAS_STATUS_SUCCESS;
  g.m = m;
  g.n = n;
  g.k = k;
  g.alpha = scalar(alpha, g.compute);
  g.beta = scalar(beta, g.compute);
  g.c_type = c_type;
  g.ldc = ldc;
  const bool ta = transa == CUBLAS_OP_T, tb = transb == CUBLAS_OP_T;
  const CUresult r = with_device_memory([&](DeviceMemory& memory) -> CUresult {
    // Each operand must lie inside one live allocation: what a GPU would fault on.
    struct Span {
      const char* name;
      const void* address;
      std::size_t bytes;
    };
    const Span spans[] = {
        {"A", a, extent_bytes(ta ? k : m, ta ? m : k, lda, a_type)},
        {"B", b, extent_bytes(tb ? n : k, tb ? k : n, ldb, b_type)},
        {"C", c, extent_bytes(m, n, ldc, c_type)},
    };
    void* host[3] = {};
    for (int i = 0; i < 3; ++i) {
      if (spans[i].bytes == 0)
        continue;
      host[i] = memory.span(reinterpret_cast<std::uintptr_t>(spans[i].address), spans[i].bytes);
      if (!host[i])
        return refuse_in_call(CUDA_ERROR_ILLEGAL_ADDRESS,
                              fmt::format("cuBLAS GEMM: operand {} ({} bytes at {}) is not inside "
                                          "one allocation of the emulated device",
                                          spans[i].name, spans[i].bytes, spans[i].address));
    }
    g.a = {host[0], a_type, lda, ta};
    g.b = {host[1], b_type, ldb, tb};
    g.c = host[2];
    g.run();
    return CUDA_SUCCESS;
  });
  if (r == CUDA_ERROR_NOT_INITIALIZED || r == CUDA_ERROR_INVALID_CONTEXT)
    return CUBLAS_STATUS_NOT_INITIALIZED;
  return r == CUDA_SUCCESS ? CUBLAS_STATUS_SUCCESS : CUBLAS_STATUS_EXECUTION_FAILED;
}

} // namespace
} // namespace lutgemm::emucuda

// The exported entry points, with the signatures of the cuBLAS functions they stand in for.
extern "C" {

__attribute__((visibility("default"))) cublasStatus_t
lutgemm_emucublas_create(cublasHandle_t* handle) {
  if (!handle)
    return CUBLAS_STATUS_INVALID_VALUE;
  // As cublasCreate: it needs a usable device (here: an initialised driver, a current context).
  const CUresult r = lutgemm::emucuda::with_device_memory(
      [](lutgemm::emucuda::DeviceMemory&) { return CUDA_SUCCESS; });
  if (r != CUDA_SUCCESS)
    return CUBLAS_STATUS_NOT_INITIALIZED;
  *handle = new cublasContext;
  return CUBLAS_STATUS_SUCCESS;
}

__attribute__((visibility("default"))) cublasStatus_t
lutgemm_emucublas_destroy(cublasHandle_t handle) {
  if (!handle)
    return CUBLAS_STATUS_NOT_INITIALIZED;
  delete handle;
  return CUBLAS_STATUS_SUCCESS;
}

__attribute__((visibility("default"))) cublasStatus_t
lutgemm_emucublas_set_stream(cublasHandle_t handle, cudaStream_t stream) {
  if (!handle)
    return CUBLAS_STATUS_NOT_INITIALIZED;
  handle->stream = stream;
  return CUBLAS_STATUS_SUCCESS;
}

__attribute__((visibility("default"))) cublasStatus_t
lutgemm_emucublas_gemm_ex(cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb,
                          int m, int n, int k, const void* alpha, const void* a,
                          cudaDataType a_type, int lda, const void* b, cudaDataType b_type, int ldb,
                          const void* beta, void* c, cudaDataType c_type, int ldc,
                          cublasComputeType_t compute, cublasGemmAlgo_t) {
  return lutgemm::emucuda::gemm(handle, transa, transb, m, n, k, alpha, a, a_type, lda, b, b_type,
                                ldb, beta, c, c_type, ldc, compute);
}

__attribute__((visibility("default"))) cublasStatus_t
lutgemm_emucublas_sgemm(cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb,
                        int m, int n, int k, const float* alpha, const float* a, int lda,
                        const float* b, int ldb, const float* beta, float* c, int ldc) {
  return lutgemm::emucuda::gemm(handle, transa, transb, m, n, k, alpha, a, CUDA_R_32F, lda, b,
                                CUDA_R_32F, ldb, beta, c, CUDA_R_32F, ldc, CUBLAS_COMPUTE_32F);
}

} // extern "C"
