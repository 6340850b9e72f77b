#pragma once
// Correct kernels for the emulator's tests (tests/emu/test_emu_kernels.cpp): each exercises one
// part of the CUDA semantics the project's kernels rely on. Plain CUDA C++, like kernels/*.cuh.
#include <cuda_fp16.h>

namespace emu_test {

// out[b] = sum of in[b * blockDim.x .. +blockDim.x): warp shuffles, then one value per warp in
// static shared memory, then the first warp reduces those.
__global__ void block_reduce_kernel(const float* __restrict__ in, float* __restrict__ out, int n) {
  __shared__ float warp_sums[32];
  const int tid = threadIdx.x;
  const int i = blockIdx.x * blockDim.x + tid;
  float v = i < n ? in[i] : 0.0f;
  for (int offset = 16; offset > 0; offset >>= 1)
    v += __shfl_down_sync(0xffffffffu, v, offset);
  const int lane = tid % warpSize;
  const int warp = tid / warpSize;
  if (lane == 0)
    warp_sums[warp] = v;
  __syncthreads();
  const int warps = (blockDim.x + warpSize - 1) / warpSize;
  if (warp == 0) {
    v = lane < warps ? warp_sums[lane] : 0.0f;
    for (int offset = 16; offset > 0; offset >>= 1)
      v += __shfl_xor_sync(0xffffffffu, v, offset);
    if (lane == 0)
      out[blockIdx.x] = v;
  }
}

// out[c][r] = in[r][c] for a rows x cols matrix, through a padded shared tile; 2-D grid and block.
template <int Tile>
__global__ void transpose_kernel(const float* __restrict__ in, float* __restrict__ out, int rows,
                                 int cols) {
  __shared__ float tile[Tile][Tile + 1];
  const int c = blockIdx.x * Tile + threadIdx.x;
  const int r = blockIdx.y * Tile + threadIdx.y;
  if (r < rows && c < cols)
    tile[threadIdx.y][threadIdx.x] = in[(long long)r * cols + c];
  __syncthreads();
  const int tc = blockIdx.y * Tile + threadIdx.x; // column of out = row of in
  const int tr = blockIdx.x * Tile + threadIdx.y;
  if (tr < cols && tc < rows)
    out[(long long)tr * rows + tc] = tile[threadIdx.x][threadIdx.y];
}

// Histogram of values modulo bins: shared-memory bins with atomics, then global atomics. Also
// accumulates a float total and a __half2 total with atomicAdd, and the maximum with atomicMax.
__global__ void histogram_kernel(const unsigned* __restrict__ data, int n, unsigned* bins,
                                 int nbins, float* total, unsigned* maximum, __half2* pair_total) {
  extern __shared__ unsigned local_bins[];
  for (int b = threadIdx.x; b < nbins; b += blockDim.x)
    local_bins[b] = 0;
  __syncthreads();
  for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x) {
    atomicAdd(&local_bins[data[i] % nbins], 1u);
    atomicAdd(total, (float)(data[i] & 7u));
    atomicMax(maximum, data[i]);
    atomicAdd(pair_total, __halves2half2(__float2half(1.0f), __float2half(0.5f)));
  }
  __syncthreads();
  for (int b = threadIdx.x; b < nbins; b += blockDim.x)
    atomicAdd(&bins[b], local_bins[b]);
}

// Reverses each block's segment through dynamic shared memory; __syncthreads_count counts the
// positive inputs of the block; vote functions record whether each warp had any/all positives.
__global__ void reverse_dynamic_kernel(const float* __restrict__ in, float* __restrict__ out,
                                       int* __restrict__ positives, unsigned* __restrict__ ballots,
                                       int* __restrict__ votes) {
  extern __shared__ float segment[];
  const int tid = threadIdx.x;
  const int base = blockIdx.x * blockDim.x;
  const float v = in[base + tid];
  segment[tid] = v;
  const int count = __syncthreads_count(v > 0.0f);
  out[base + tid] = segment[blockDim.x - 1 - tid];
  const unsigned ballot = __ballot_sync(0xffffffffu, v > 0.0f);
  const int any = __any_sync(0xffffffffu, v > 0.0f);
  const int all = __all_sync(0xffffffffu, v > 0.0f);
  const int warp = (base + tid) / 32;
  if (tid % 32 == 0) {
    ballots[warp] = ballot;
    votes[warp] = any * 2 + all;
  }
  if (tid == 0)
    positives[blockIdx.x] = count;
}

// c = a * x + y over a rows x cols matrix with a 2-D grid of 2-D blocks (grid-stride in both).
__global__ void axpy_2d_kernel(float a, const float* __restrict__ x, const float* __restrict__ y,
                               float* __restrict__ out, int rows, int cols) {
  for (int r = blockIdx.y * blockDim.y + threadIdx.y; r < rows; r += gridDim.y * blockDim.y)
    for (int c = blockIdx.x * blockDim.x + threadIdx.x; c < cols; c += gridDim.x * blockDim.x) {
      const long long i = (long long)r * cols + c;
      out[i] = fmaf(a, x[i], y[i]);
    }
}

// Integer intrinsics, one result per thread.
__global__ void intrinsics_kernel(const unsigned* __restrict__ in, unsigned* __restrict__ out) {
  const int i = blockIdx.x * blockDim.x + threadIdx.x;
  const unsigned a = in[2 * i];
  const unsigned b = in[2 * i + 1];
  out[6 * i + 0] = __popc(a);
  out[6 * i + 1] = __ffs((int)a);
  out[6 * i + 2] = __clz((int)a);
  out[6 * i + 3] = __byte_perm(a, b, 0x5140);
  out[6 * i + 4] = __funnelshift_l(a, b, b & 31);
  out[6 * i + 5] = __funnelshift_r(a, b, a & 31);
}

// The trivial kernel of the speed benchmark: 4 barriers around a little shared-memory work.
__global__ void barriers_kernel(float* __restrict__ out) {
  __shared__ float s[1024];
  const int tid = threadIdx.x;
  s[tid] = (float)tid;
  __syncthreads();
  float v = s[(tid + 1) % blockDim.x];
  __syncthreads();
  s[tid] = v + 1.0f;
  __syncthreads();
  v = s[(tid + 2) % blockDim.x];
  __syncthreads();
  if (tid == 0)
    out[blockIdx.x] = v;
}

} // namespace emu_test

namespace emu_test {

// __activemask(): lanes of the upper half of each warp return at once; the lower half sees only
// itself. Threads of a partial last warp see only the lanes that exist.
__global__ void activemask_kernel(unsigned* __restrict__ out) {
  const int i = blockIdx.x * blockDim.x + threadIdx.x;
  out[i] = 0;
  if (threadIdx.x % 32 >= 16 && blockIdx.x == 0)
    return;
  out[i] = __activemask();
}

} // namespace emu_test

namespace emu_test {

// Every thread takes a global spin lock (atomicCAS / atomicExch) and increments a plain counter:
// needs forward progress for the lock holder while others spin (independent thread scheduling).
__global__ void spin_lock_kernel(int* lock, int* counter) {
  bool done = false;
  while (!done) {
    if (atomicCAS(lock, 0, 1) == 0) {
      *(volatile int*)counter = *(volatile int*)counter + 1;
      __threadfence();
      atomicExch(lock, 0);
      done = true;
    }
  }
}

} // namespace emu_test
