#pragma once
// Kernels that once ran wrongly in the emulator although they are plain CUDA (issue 11), for
// tests/emu/test_emu_fidelity.cpp. Like most third-party CUDA files, this one includes
// cuda_runtime.h (nvcc includes it in every .cu file).
#include <cuda_fp16.h>
#include <cuda_runtime.h>

// The width of a static shared array set by a define, as the GPTQ reference kernels do: two
// builds with different widths have the same kernel name.
#ifndef EMU_FIDELITY_WIDTH
#define EMU_FIDELITY_WIDTH 64
#endif

namespace emu_fidelity {

// out[i] = in[WIDTH - 1 - i] through a static shared array; without `sync` the reads race with
// the writes of other threads.
template <class T> __global__ void reverse_width_kernel(const T* in, T* out, int sync) {
  __shared__ T buffer[EMU_FIDELITY_WIDTH];
  for (int i = threadIdx.x; i < EMU_FIDELITY_WIDTH; i += blockDim.x)
    buffer[i] = in[i];
  if (sync)
    __syncthreads();
  for (int i = threadIdx.x; i < EMU_FIDELITY_WIDTH; i += blockDim.x)
    out[i] = buffer[EMU_FIDELITY_WIDTH - 1 - i];
}

// A shared array of a class type (__half2): correct, so the race check must stay silent.
__global__ void half2_shared_kernel(const __half2* in, __half2* out) {
  __shared__ __half2 pairs[128];
  pairs[threadIdx.x] = in[threadIdx.x];
  __syncthreads();
  out[threadIdx.x] = __hadd2(pairs[127 - threadIdx.x], pairs[threadIdx.x]);
}

// Two kernels of one file with different static shared memory: each launch counts its own.
__global__ void small_static_kernel(float* out) {
  __shared__ float small[256]; // 1 KiB
  small[threadIdx.x] = (float)threadIdx.x;
  __syncthreads();
  out[threadIdx.x] = small[255 - threadIdx.x];
}
__global__ void large_static_kernel(float* out) {
  __shared__ float large[8192]; // 32 KiB
  for (int i = threadIdx.x; i < 8192; i += blockDim.x)
    large[i] = (float)i;
  __syncthreads();
  out[threadIdx.x] = large[8191 - threadIdx.x];
}

// Built-in variables whose names clash with parameter names in cuda_runtime.h's declarations.
__global__ void geometry_kernel(unsigned* out) {
  const dim3 grid = gridDim;
  const dim3 block = blockDim;
  const unsigned linear = blockIdx.x * block.x + threadIdx.x;
  out[linear] = grid.x * 1000u + block.x;
}

} // namespace emu_fidelity
