#pragma once
// Device helpers shared by the kernel families (kernels/lutgemm.cuh, kernels/optq.cuh).
// Plain CUDA C++: compiles under NVRTC with only cuda_fp16.h and under the host SIMT emulator
// (tuner/emu), which defines LUTGEMM_EMULATOR. No inline PTX here: plain loads through
// const __restrict__ pointers already become LDG.E.*.CONSTANT on the GPU.
#include <cuda_fp16.h>

namespace lutgemm {

// How partial sums of different K splits (gridDim.y > 1) reach y. Template argument of the kernels;
// tuner/kernels/split_k_plan.hpp names them (combine_mode).
enum CombineMode : int {
  kCombineNone = 0,   // gridDim.y == 1: each block owns its outputs and stores them in fp16
  kCombineAtomic = 1, // fp32 atomicAdd into a workspace zeroed by zero_f32_kernel, then
                      // f32_to_f16_kernel writes y
  kCombineReduce = 2, // split s stores its partials at workspace[s][batch][m] (every element
                      // written once), then reduce_split_kernel sums the splits into y
};

// Vectors of 1, 2 or 4 packed words. Plain aligned structs (not uint2/uint4) so that the emulator
// needs no vector_types.h; NVRTC emits ld.global.nc.v2/.v4 for them.
template <int N> struct alignas(4 * N) WordVec { unsigned int w[N]; };

template <int N>
__device__ __forceinline__ void load_words(const unsigned int* __restrict__ p,
                                           unsigned int (&out)[N]) {
  const WordVec<N> v = *reinterpret_cast<const WordVec<N>*>(p);
#pragma unroll
  for (int i = 0; i < N; ++i)
    out[i] = v.w[i];
}

// N consecutive fp16 values (N = 1, 2, 4) with one load of 2N bytes; converted to float.
template <int N> struct alignas(2 * N) HalfVec { __half h[N]; };

template <int N>
__device__ __forceinline__ void load_halves(const __half* __restrict__ p, float (&out)[N]) {
  const HalfVec<N> v = *reinterpret_cast<const HalfVec<N>*>(p);
#pragma unroll
  for (int i = 0; i < N; ++i)
    out[i] = __half2float(v.h[i]);
}

// Accumulator arithmetic for fp32 (default) and fp16 accumulation. Tables hold the same type.
template <bool F32> struct AccOps;

template <> struct AccOps<true> {
  using Type = float;
  static __device__ __forceinline__ float zero() { return 0.0f; }
  static __device__ __forceinline__ float from_float(float v) { return v; }
  static __device__ __forceinline__ float to_float(float v) { return v; }
  static __device__ __forceinline__ float add(float a, float b) { return a + b; }
  static __device__ __forceinline__ float neg(float a) { return -a; }
  static __device__ __forceinline__ float add_signed(float part, float v, bool negate) {
    return part + (negate ? -v : v);
  }
  static __device__ __forceinline__ float load(const float* p) { return *p; }
  // acc + scale * partial, scale given as float
  static __device__ __forceinline__ float fma(float scale, float partial, float acc) {
    return fmaf(scale, partial, acc);
  }
};

template <> struct AccOps<false> {
  using Type = __half;
  static __device__ __forceinline__ __half zero() { return __float2half(0.0f); }
  static __device__ __forceinline__ __half from_float(float v) { return __float2half(v); }
  static __device__ __forceinline__ float to_float(__half v) { return __half2float(v); }
  static __device__ __forceinline__ __half add(__half a, __half b) { return __hadd(a, b); }
  static __device__ __forceinline__ __half neg(__half a) { return __hneg(a); }
  static __device__ __forceinline__ __half add_signed(__half part, __half v, bool negate) {
    return __hadd(part, negate ? __hneg(v) : v);
  }
  static __device__ __forceinline__ __half load(const __half* p) { return *p; }
  static __device__ __forceinline__ __half fma(float scale, __half partial, __half acc) {
    return __hfma(__float2half(scale), partial, acc);
  }
};

// fp16 table entries of two activation columns (kernel v2's pair tables): one lookup serves both.
struct Half2Ops {
  using Type = __half2;
  static __device__ __forceinline__ __half2 zero() { return __float2half2_rn(0.0f); }
  static __device__ __forceinline__ __half2 add(__half2 a, __half2 b) { return __hadd2(a, b); }
  static __device__ __forceinline__ __half2 neg(__half2 a) { return __hneg2(a); }
  // part +- v as one HFMA2 with a +-1 factor (exact: one rounding, like the add).
  static __device__ __forceinline__ __half2 add_signed(__half2 part, __half2 v, bool negate) {
    return __hfma2(__float2half2_rn(negate ? -1.0f : 1.0f), v, part);
  }
  // One 32-bit load of an entry (on a GPU one LDS.32 either way; a host compiler would copy the
  // struct field by field, which the emulator's counters would see as two 16-bit requests).
  static __device__ __forceinline__ __half2 load(const __half2* p) {
    const unsigned int bits = *reinterpret_cast<const unsigned int*>(p);
    return __halves2half2(__ushort_as_half((unsigned short)(bits & 0xffffu)),
                          __ushort_as_half((unsigned short)(bits >> 16)));
  }
  // The packed-entry interface of Half2PackOps, for one __half2.
  static __device__ __forceinline__ __half2 get(__half2 e, int) { return e; }
  static __device__ __forceinline__ void set(__half2& e, int, __half2 v) { e = v; }
};

// Table entries of 2 x P activation columns (kernel v2's packed pair tables, P = 2 or 4): P
// __half2 read with one 8- or 16-byte shared load, so one key's lookup serves 4 or 8 columns.
template <int P> struct alignas(4 * P) Half2Pack { __half2 h[P]; };

template <int P> struct Half2PackOps {
  using Type = Half2Pack<P>;
  static __device__ __forceinline__ Type zero() {
    Type r;
#pragma unroll
    for (int i = 0; i < P; ++i)
      r.h[i] = __float2half2_rn(0.0f);
    return r;
  }
  static __device__ __forceinline__ Type add(const Type& a, const Type& b) {
    Type r;
#pragma unroll
    for (int i = 0; i < P; ++i)
      r.h[i] = __hadd2(a.h[i], b.h[i]);
    return r;
  }
  static __device__ __forceinline__ Type neg(const Type& a) {
    Type r;
#pragma unroll
    for (int i = 0; i < P; ++i)
      r.h[i] = __hneg2(a.h[i]);
    return r;
  }
  // part +- v: P HFMA2 with one +-1 factor per key.
  static __device__ __forceinline__ Type add_signed(const Type& part, const Type& v, bool negate) {
    const __half2 sign = __float2half2_rn(negate ? -1.0f : 1.0f);
    Type r;
#pragma unroll
    for (int i = 0; i < P; ++i)
      r.h[i] = __hfma2(sign, v.h[i], part.h[i]);
    return r;
  }
  // One vector load of the whole entry (LDS.64 / LDS.128), as WordVec does for global words.
  static __device__ __forceinline__ Type load(const Type* p) {
    const WordVec<P> v = *reinterpret_cast<const WordVec<P>*>(p);
    Type r;
#pragma unroll
    for (int i = 0; i < P; ++i)
      r.h[i] = __halves2half2(__ushort_as_half((unsigned short)(v.w[i] & 0xffffu)),
                              __ushort_as_half((unsigned short)(v.w[i] >> 16)));
    return r;
  }
  static __device__ __forceinline__ __half2 get(const Type& e, int i) {
    return e.h[i];
  }
  static __device__ __forceinline__ void set(Type& e, int i, __half2 v) {
    e.h[i] = v;
  }
};

// std::conditional without <type_traits> (NVRTC compiles these headers without a standard
// library).
template <bool B, class T, class F> struct Select { using Type = T; };
template <class T, class F> struct Select<false, T, F> { using Type = F; };

// Launch 0 of kCombineAtomic: zero the fp32 workspace (part of the timed variant; the caller never
// pre-zeroes anything).
__global__ void zero_f32_kernel(float* __restrict__ out, long long n) {
  const long long stride = (long long)gridDim.x * blockDim.x;
  for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += stride)
    out[i] = 0.0f;
}

// Last launch of kCombineAtomic: y = fp16(workspace).
__global__ void f32_to_f16_kernel(const float* __restrict__ in, __half* __restrict__ out,
                                  long long n) {
  const long long stride = (long long)gridDim.x * blockDim.x;
  for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += stride)
    out[i] = __float2half(in[i]);
}

// Last launch of kCombineReduce: y[i] = fp16(sum_s workspace[s * n + i]), in a fixed order, so
// results are deterministic.
__global__ void reduce_split_kernel(const float* __restrict__ in, __half* __restrict__ out,
                                    long long n, int splits) {
  const long long stride = (long long)gridDim.x * blockDim.x;
  for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += stride) {
    float sum = 0.0f;
    for (int s = 0; s < splits; ++s)
      sum += in[(long long)s * n + i];
    out[i] = __float2half(sum);
  }
}

} // namespace lutgemm
