#pragma once
// A pre-compile estimate of the registers per thread of a LUT-GEMM variant, for the model
// strategy's ranking (tuner/search/variant_evaluator.cpp) before ptxas has said anything. The
// model once assumed 64 for every variant, so variants with many accumulators ranked first and
// then modelled slower (or spilled) once compiled; the estimate follows what drives ptxas's count:
// the fp32 accumulators (batch_cols x rows_per_thread), the segment partial sums (table sets x
// rows x 32-bit words per entry) and the per-row words and pointers.
#include "kernels/lut_params.hpp"

namespace lutgemm {

// Estimated registers per thread, at least 32 and at most what __launch_bounds__(threads) lets
// ptxas use (65536 / threads, at most 255). Calibrated on NVRTC sm_80 reports (see the .cpp).
int estimate_lut_registers(const LutParams& params);

// The registers __launch_bounds__(threads) leaves ptxas per thread.
int lut_register_cap(int threads);

} // namespace lutgemm
