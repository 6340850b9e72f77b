#pragma once
// OPTQ (GPTQ)-style baselines on uniform q-bit weights with group-wise scales and zeros:
//   (a) optq_dequant_kernel: W to fp16 for a following cuBLAS GEMM;
//   (b) optq_gemv_kernel:    fused dequantize-and-multiply GEMV (any batch up to 32).
// Layout (tuner/quant, PackedGptq): qweight uint32 [k*q/32][m]: each run of 32 consecutive k of a
// row is a bit stream of q words, value j at stream bits j*q .. j*q+q-1, LSB first (for q = 3 this
// is GPTQ's "32 values in 3 words", for q = 4 eight nibbles per word); scales fp16 [k/g][m];
// zeros fp16 [k/g][m] pre-multiplied by the scale (zs = s * zp); w = s * n - zs.
// Dequantized W: fp16 [k][m] (m fastest), i.e. column-major M x K with leading dimension m, ready
// for cublasGemmEx(N, N, m, batch, k, W, ld=m, x, ld=k, y, ld=m).
#include "lutgemm_common.cuh"

namespace lutgemm {

// The Q words of one 32-value stream -> value j (compile-time j after unrolling).
template <int Q>
__device__ __forceinline__ unsigned int optq_value(const unsigned int (&w)[Q], int j) {
  const int bit = j * Q;
  const int lo = bit / 32;
  const int sh = bit % 32;
  unsigned int v = w[lo] >> sh;
  if (sh + Q > 32)
    v |= w[lo + 1] << (32 - sh);
  return v & ((1u << Q) - 1u);
}

// grid (ceil(m / T), k / 32): one thread per (row, 32-wide chunk); writes are coalesced along m.
template <int Q, int G, int T>
__global__ void __launch_bounds__(T)
    optq_dequant_kernel(const unsigned int* __restrict__ qweight, const __half* __restrict__ scales,
                        const __half* __restrict__ zeros, __half* __restrict__ w_fp16, int m,
                        int k) {
  static_assert(Q >= 1 && Q <= 8, "bits must be 1..8");
  static_assert(G >= 0 && G % 32 == 0, "g must be a multiple of 32 (0 = row-wise)");
  const long long row = (long long)blockIdx.x * T + threadIdx.x;
  if (row >= m)
    return;
  const int chunk = blockIdx.y;
  const int grp = (chunk * 32) / (G > 0 ? G : k);
  unsigned int w[Q];
#pragma unroll
  for (int i = 0; i < Q; ++i)
    w[i] = qweight[((long long)chunk * Q + i) * m + row];
  const float s = __half2float(scales[(long long)grp * m + row]);
  const float zs = __half2float(zeros[(long long)grp * m + row]);
#pragma unroll
  for (int j = 0; j < 32; ++j)
    w_fp16[((long long)chunk * 32 + j) * m + row] =
        __float2half(fmaf(s, (float)optq_value<Q>(w, j), -zs));
}

// grid (ceil(m / T), split, ceil(batch / BC)); one thread per row; x tiles of KT staged in shared
// memory as fp32 with their 32-wide sums (for the zero term):
//   dot = sum_j (s n_j - zs) x_j = s * sum_j n_j x_j - zs * sum_j x_j   per 32-wide chunk.
// Shared memory: BC * KT * 4 + BC * (KT / 32) * 4 bytes (dynamic). Splits combine like LUT-GEMM.
template <int Q, int G, int T, int KT, int BC, int Combine>
__global__ void __launch_bounds__(T)
    optq_gemv_kernel(const unsigned int* __restrict__ qweight, const __half* __restrict__ scales,
                     const __half* __restrict__ zeros, const __half* __restrict__ x,
                     __half* __restrict__ y, float* __restrict__ workspace, int m, int k,
                     int batch) {
  static_assert(Q >= 1 && Q <= 8, "bits must be 1..8");
  static_assert(G >= 0 && G % 32 == 0, "g must be a multiple of 32 (0 = row-wise)");
  static_assert(KT % 32 == 0 && KT >= 32, "K tile must be a multiple of 32");
  constexpr int kChunksPerTile = KT / 32;
  extern __shared__ float lutgemm_smem[];
  float* xs = lutgemm_smem;             // [BC][KT]
  float* xsum = lutgemm_smem + BC * KT; // [BC][KT/32]

  const int tid = threadIdx.x;
  const long long row = (long long)blockIdx.x * T + tid;
  const bool live = row < m;
  const int col0 = blockIdx.z * BC;
  const int gsize = G > 0 ? G : k;
  const int ntiles = (k + KT - 1) / KT;
  const int per_split = (ntiles + gridDim.y - 1) / gridDim.y;
  const int tile_begin = blockIdx.y * per_split;
  const int tile_end = min(ntiles, tile_begin + per_split);

  float acc[BC];
#pragma unroll
  for (int c = 0; c < BC; ++c)
    acc[c] = 0.0f;

  for (int tile = tile_begin; tile < tile_end; ++tile) {
    const int k0 = tile * KT;
    const int chunks = min(kChunksPerTile, (k - k0) / 32);
    __syncthreads();
    for (int i = tid; i < BC * KT; i += T) {
      const int c = i / KT;
      const int kk = i - c * KT;
      const int col = col0 + c;
      xs[i] = (col < batch && k0 + kk < k) ? __half2float(x[(long long)col * k + k0 + kk]) : 0.0f;
    }
    __syncthreads();
    for (int i = tid; i < BC * kChunksPerTile; i += T) {
      float sum = 0.0f;
      for (int j = 0; j < 32; ++j)
        sum += xs[i * 32 + j];
      xsum[i] = sum;
    }
    __syncthreads();
    if (!live)
      continue;
#pragma unroll 2
    for (int ch = 0; ch < chunks; ++ch) {
      const long long chunk = k0 / 32 + ch;
      unsigned int w[Q];
#pragma unroll
      for (int i = 0; i < Q; ++i)
        w[i] = qweight[(chunk * Q + i) * m + row];
      const long long grp = (chunk * 32) / gsize;
      const float s = __half2float(scales[grp * m + row]);
      const float zs = __half2float(zeros[grp * m + row]);
      float dot[BC];
#pragma unroll
      for (int c = 0; c < BC; ++c)
        dot[c] = 0.0f;
#pragma unroll
      for (int j = 0; j < 32; ++j) {
        const float n = (float)optq_value<Q>(w, j);
#pragma unroll
        for (int c = 0; c < BC; ++c)
          dot[c] = fmaf(n, xs[c * KT + ch * 32 + j], dot[c]);
      }
#pragma unroll
      for (int c = 0; c < BC; ++c)
        acc[c] += s * dot[c] - zs * xsum[c * kChunksPerTile + ch];
    }
  }

  if (!live)
    return;
#pragma unroll
  for (int c = 0; c < BC; ++c) {
    const int col = col0 + c;
    if (col >= batch)
      continue;
    if constexpr (Combine == kCombineNone) {
      y[(long long)col * m + row] = __float2half(acc[c]);
    } else if constexpr (Combine == kCombineAtomic) {
      atomicAdd(workspace + (long long)col * m + row, acc[c]);
    } else {
      workspace[((long long)blockIdx.y * batch + col) * m + row] = acc[c];
    }
  }
}

} // namespace lutgemm
