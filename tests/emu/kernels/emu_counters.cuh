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
