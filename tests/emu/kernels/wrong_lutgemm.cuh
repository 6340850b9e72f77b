#pragma once
// A deliberately WRONG LUT-GEMM for the tuner's end-to-end test: the same template parameters and
// arguments as lutgemm::lutgemm_kernel (kernels/lutgemm.cuh), but each output is an activation
// value instead of the row's dot product. It runs cleanly (no fault), so only verification against
// the float64 reference can catch it: the tune must store it as wrong_result.
#include "kernels/lutgemm_common.cuh"

namespace lutgemm {

template <int Q, int G, bool HasOffset, int Mu, int R, int T, int KT, int LdBits, bool AccF32,
          bool HalfTable, int BC, int Combine>
__global__ void __launch_bounds__(T)
    lutgemm_kernel(const unsigned int* __restrict__ bit_words, const __half* __restrict__ alpha,
                   const __half* __restrict__ offset, const __half* __restrict__ x,
                   __half* __restrict__ y, float* __restrict__ workspace, int m, int k, int batch) {
  (void)bit_words;
  (void)alpha;
  (void)offset;
  (void)workspace;
  const int rows_per_block = T * R;
  for (int r = 0; r < R; ++r) {
    const int row = blockIdx.x * rows_per_block + r * T + threadIdx.x;
    for (int c = 0; c < BC; ++c) {
      const int b = blockIdx.z * BC + c;
      if (row < m && b < batch && blockIdx.y == 0)
        y[b * m + row] = x[b * k + row % k];
    }
  }
}

} // namespace lutgemm
