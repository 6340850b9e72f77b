#pragma once
// Workloads (inputs of the performance model) of the kernels this project times: cuBLAS on the
// unquantized layer, the OPTQ-style 3-bit kernels, an AWQ-style 4-bit GEMV, and LUT-GEMM variants.
// Each counts what the kernel must move and compute for one call on a Problem; the byte counts
// follow the layouts in tuner/quant/packed_bcq.hpp and PAPER.md.
#include "model/perf_model.hpp"
#include "problem/problem.hpp"

#include <string_view>

namespace lutgemm::model {

enum class Baseline {
  cublas_fp32,         // cuBLAS GEMV/GEMM, fp32 weights and activations
  cublas_fp16,         // cuBLAS GEMV/GEMM, fp16 (the paper's 1.00x reference)
  cublas_int8,         // cuBLAS int8 GEMM, int32 output
  optq_fused,          // OPTQ-style fused 3-bit dequantize + GEMV (per-channel scale and zero)
  optq_dequant_cublas, // OPTQ-style: dequantize to fp16, then cuBLAS fp16
  awq_int4,            // AWQ-style 4-bit g128 fused GEMV
};
std::string_view to_string(Baseline baseline);
Baseline baseline_from_string(std::string_view text); // throws UsageError listing the names

// Workload of a baseline on the problem's (M, K, batch). The OPTQ kernels use the problem's bits
// (3 in the paper) with per-output-channel scales; AWQ uses 4 bits and the problem's group.
// `target`: which kernel cuBLAS picks depends on the architecture (workloads.cpp says which and
// why); nullptr: the sm_80 choice.
KernelWorkload baseline_workload(Baseline baseline, const Problem& problem,
                                 const GpuSpec* target = nullptr);

// A LUT-GEMM kernel design in the model's own terms. The kernel family's parameters
// (tuner/kernels/) map onto it; the defaults describe the paper's original kernel.
struct LutgemmDesign {
  int rows_per_block = 2048; // th: output rows per thread block
  int k_tile = 32;           // K columns per block (K is split across blocks when < K)
  int threads = 256;         // threads per block
  int mu = 8;                // sub-vector length: tables of 2^mu entries
  int table_entry_bytes = 2; // fp16 tables = 2, fp32 tables = 4
  bool half_tables = false;  // symmetry LUT[~key] = -LUT[key]: half the entries, one sign flip
  int table_copies = 1;      // replicas of each table, to spread lookups over banks
  int regs_per_thread = 64;
  // Partial sums across K tiles: atomicAdd into a zeroed output (an extra zeroing launch), as in
  // the original. False: each block walks its rows' whole K and stores once.
  bool k_split_atomics = true;
};

// The paper's original kernel: th = 2048, K_TILE = 32, 256 threads, fp16 tables, atomics.
LutgemmDesign paper_lutgemm_design();

// Bytes of packed bits + scales (+ offsets) of a BCQ-quantized weight (tuner/quant/packed_bcq.hpp,
// rows padded to kRowPadding).
double packed_bcq_bytes(const Problem& problem);

KernelWorkload lutgemm_workload(const Problem& problem, const LutgemmDesign& design);

} // namespace lutgemm::model
