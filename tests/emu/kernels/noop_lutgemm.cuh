#pragma once
// A LUT-GEMM that WRITES NOTHING, for the emulated-driver test of stale device memory: the same
// template and arguments as lutgemm::lutgemm_kernel (kernels/lutgemm.cuh). Whatever y held before
// the launch is its "result": only a harness that poisons y before verifying catches it.
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
  (void)x;
  (void)y;
  (void)workspace;
  (void)m;
  (void)k;
  (void)batch;
}

} // namespace lutgemm
