#pragma once
// A LUT-GEMM that FAULTS, for the tuner's end-to-end test: the same template and arguments as
// lutgemm::lutgemm_kernel (kernels/lutgemm.cuh), but thread 0 of each block writes far past the end
// of y. The emulator's guard pages catch it; the tune must record launch_error and go on.
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
  (void)k;
  if (threadIdx.x == 0)
    y[static_cast<long long>(m) * batch + 4096] = x[0];
}

} // namespace lutgemm
