#pragma once
// Broken kernels: each must be reported by the emulator with the right diagnosis, and none may
// hang (tests/emu/test_emu_faults.cpp).
#include <cuda_fp16.h>

namespace emu_test {

// Launched with one thread more than out holds: the last thread writes one element past the end.
__global__ void oob_by_one_kernel(float* __restrict__ out) {
  const int i = blockIdx.x * blockDim.x + threadIdx.x;
  out[i] = (float)i;
}

// Only the first half of the block reaches the barrier.
__global__ void divergent_barrier_kernel(float* __restrict__ out) {
  const int tid = threadIdx.x;
  if (tid < (int)blockDim.x / 2) {
    out[tid] = 1.0f;
    __syncthreads();
  }
  out[tid] += 1.0f;
}

// Odd and even threads wait at two different barriers.
__global__ void split_barrier_kernel(float* __restrict__ out) {
  const int tid = threadIdx.x;
  if (tid % 2 == 0) {
    __syncthreads();
  } else {
    __syncthreads();
  }
  out[tid] = 1.0f;
}

// Writes s[tid] and reads the neighbour's entry without a barrier in between.
__global__ void missing_barrier_kernel(const float* __restrict__ in, float* __restrict__ out) {
  __shared__ float s[256];
  const int tid = threadIdx.x;
  s[tid] = in[tid];
  out[tid] = s[(tid + 1) % blockDim.x];
}

// The same with dynamic shared memory.
__global__ void missing_barrier_dynamic_kernel(const float* __restrict__ in,
                                               float* __restrict__ out) {
  extern __shared__ float d[];
  const int tid = threadIdx.x;
  d[tid] = in[tid];
  out[tid] = d[(tid + 1) % blockDim.x];
}

// The correct version: no race reported.
__global__ void with_barrier_kernel(const float* __restrict__ in, float* __restrict__ out) {
  __shared__ float s[256];
  const int tid = threadIdx.x;
  s[tid] = in[tid];
  __syncthreads();
  out[tid] = s[(tid + 1) % blockDim.x];
}

// Warp 0 waits at the barrier; half of warp 1 waits at the same barrier, the other half in a
// full-warp shuffle that can never complete.
__global__ void deadlock_kernel(float* __restrict__ out) {
  const int tid = threadIdx.x;
  float v = (float)tid;
  if (tid >= 32 && tid < 48)
    v = __shfl_sync(0xffffffffu, v, 0);
  else
    __syncthreads();
  out[tid] = v;
}

// Spins on a flag nobody sets: only the timeout ends it.
__global__ void spin_kernel(const volatile int* flag, float* __restrict__ out) {
  while (*flag == 0) {
  }
  out[threadIdx.x] = 1.0f;
}

// Dereferences a null pointer.
__global__ void null_kernel(float* __restrict__ out) {
  float* p = nullptr;
  p[threadIdx.x + 1] = out[0];
}

} // namespace emu_test

namespace emu_test {

// A local array larger than a fiber's stack.
__global__ void stack_overflow_kernel(float* __restrict__ out) {
  volatile float big[64 * 1024];
  for (int i = 0; i < 64 * 1024; i += 1024)
    big[i] = (float)i;
  out[threadIdx.x] = big[threadIdx.x * 1024];
}

} // namespace emu_test
