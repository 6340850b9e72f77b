#include "kernels/lut_registers.hpp"

#include <algorithm>
#include <cmath>

namespace lutgemm {

int lut_register_cap(int threads) {
  // 64K registers per SM on every target since sm_50, allocated per thread in multiples of 8.
  return std::min(255, 65536 / std::max(threads, 1) / 8 * 8);
}

namespace {
// Packed entries (4 or 8 columns) ask __launch_bounds__ for 512 / threads blocks per SM
// (kernels/lutgemm.cuh): at most 128 registers per thread.
int packed_register_cap(const LutParams& p) {
  const int cap = lut_register_cap(p.threads);
  return entry_columns(p.accum) > 2 && p.threads <= 512 ? std::min(cap, 128) : cap;
}
} // namespace

int estimate_lut_registers(const LutParams& p) {
  // Least-squares fit to ptxas's counts for 52 variants (sm_80, CUDA 12 NVRTC):
  //   lutgemm compile --shape 4096x4096 --batch 8 --bits 3 --arch sm_80 --param mu=4,8
  //     --param rows_per_thread=1,2,4,8 --param batch_cols=1,2,4,8 --param accum=f32,h2
  //     --param threads=256 --param k_tile=64 --param load_bits=32 --param table=half
  //     --param split=1 --param combine=none --param copies=1 --param build=direct
  // Mean error 6.5 registers (32..126 measured), worst 35%, where a constant 64 was off by up to
  // 2x. ptxas never went below 32 there.
  const int cols = entry_columns(p.accum);
  // __half2 accumulators (h4h, h8h) hold two columns per register.
  const double accumulators =
      double(p.batch_cols) * p.rows_per_thread / (half2_accumulators(p.accum) ? 2 : 1);
  const double entry_words = cols > 2 ? cols / 2.0 : 1.0; // __half2 per packed entry
  const double partials = double(p.batch_cols / cols) * p.rows_per_thread * entry_words;
  const double estimate = 21.45 + 1.612 * accumulators + 0.709 * partials +
                          3.219 * p.rows_per_thread - (p.mu == 8 ? 3.92 : 0.0);
  return std::clamp(static_cast<int>(std::lround(estimate)), 32, packed_register_cap(p));
}

} // namespace lutgemm
