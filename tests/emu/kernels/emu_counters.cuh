#pragma once
// Probes with known hardware counts, for tests/emu/test_emu_counters.cpp (one warp per block).
#include <cuda_fp16.h>

namespace emu_counters {

// Fills a 4 KiB shared tile with 32 stride-1 stores per lane, then makes exactly one load per lane
// of the kind `mode` selects, and one coalesced 4-byte global store per lane:
//   0: 4-byte shared load of word (lane * stride) % 1024  (stride 0: all lanes on one word)
//   1: 8-byte shared load of element lane                 (float2)
//   2: 16-byte shared load of element lane                (float4)
//   3: 4-byte global load of in[lane * stride]
__global__ void probe_kernel(const float* __restrict__ in, float* __restrict__ out, int mode,
                             int stride) {
  __shared__ float4 tile[256];
  float* words = reinterpret_cast<float*>(tile);
  const int lane = threadIdx.x;
  for (int i = lane; i < 1024; i += 32)
    words[i] = (float)i;
  __syncthreads();
  float v = 0.0f;
  if (mode == 0) {
    v = words[(lane * stride) % 1024];
  } else if (mode == 1) {
    const float2 p = reinterpret_cast<const float2*>(tile)[lane];
    v = p.x + p.y;
  } else if (mode == 2) {
    const float4 p = tile[lane];
    v = p.x + p.y + p.z + p.w;
  } else {
    v = in[(long long)lane * stride];
  }
  out[lane] = v;
}

} // namespace emu_counters

namespace emu_counters {

// Counted operations with known totals per lane, in a block of 64 threads (two warps): 3 fp16
// adds, 1 multiply, 1 fma, one of each __half2 kind, 2 conversions, 2 integer intrinsics and a
// shuffle; lanes 0..7 add once more (divergent: warp 0 issues that add once more, warp 1 not).
__global__ void ops_kernel(const __half* __restrict__ in, float* __restrict__ out) {
  const int t = threadIdx.x;
  const __half a = in[t];
  __half b = __hadd(a, a); // hadd
  b = b - a;               // hadd (operator)
  b += a;                  // hadd (operator)
  b = b * a;               // hmul (operator)
  b = __hfma(a, b, a);     // hfma
  __half2 p = __halves2half2(a, b);
  p = __hadd2(p, p);    // hadd2
  p = p * p;            // hmul2 (operator)
  p = __hfma2(p, p, p); // hfma2
  if (t < 8)
    b = __hadd(b, a);                                            // hadd, lanes 0..7
  float f = __half2float(b) + __low2float(p);                    // 2 conversions
  f += (float)(__popc((unsigned)t) + __byte_perm(t, 0, 0x3210)); // 2 integer intrinsics
  f = __shfl_xor_sync(0xffffffffu, f, 1);                        // shuffle
  out[t] = f;
}

} // namespace emu_counters
