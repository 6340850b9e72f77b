#include "model/workloads.hpp"

#include "common/error.hpp"
#include "model/bank_conflicts.hpp"
#include "quant/packed_bcq.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>

namespace lutgemm::model {
namespace {

constexpr double kFp16Bytes = 2;

constexpr std::array kBaselines{Baseline::cublas_fp32,         Baseline::cublas_fp16,
                                Baseline::cublas_int8,         Baseline::optq_fused,
                                Baseline::optq_dequant_cublas, Baseline::awq_int4};

std::int64_t ceil_div(std::int64_t a, std::int64_t b) {
  return (a + b - 1) / b;
}

// A GEMV streaming `weight_bytes`-byte weights: one FMA per weight and column.
KernelWorkload dense_gemv(std::string name, const Problem& p, double weight_bytes,
                          double activation_bytes, double output_bytes) {
  KernelWorkload w;
  w.name = std::move(name);
  const double mk = static_cast<double>(p.m) * static_cast<double>(p.k);
  w.weight_bytes = mk * weight_bytes;
  w.dram_bytes = w.weight_bytes + static_cast<double>(p.k) * p.batch * activation_bytes +
                 static_cast<double>(p.m) * p.batch * output_bytes;
  w.alu_ops = mk * p.batch;
  w.threads_per_block = 128;
  w.regs_per_thread = 64;
  w.grid_blocks = ceil_div(p.m, 16);
  return w;
}

// cuBLAS on a GEMV-like shape. cuBLAS's kernel choice is not published; each path below is an
// assumption with the published measurement that supports it.
// - Tensor-core GEMM (fp16/int8 data, batch > 1; on sm_90 also batch 1): 128-row tiles, multi-stage
//   asynchronous copies keep ~64 bytes per thread in flight; its arithmetic counts against the
//   tensor throughput, so its time stays flat with batch while DRAM-bound. When the row tiles alone
//   do not give every SM work it splits K and adds the fp32 partials with a second kernel
//   (split_k_reduce; cuBLAS's splitKreduce_kernel). Evidence: H100 SXM 8192x8192 at batch 1, 2 and
//   4 takes 58.4 / 58.0 / 58.0 us (humming PR #2): the same kernel at every batch, so on Hopper
//   batch 1 does not go to a separate GEMV.
// - GEMV (batch 1, or fp32): blocks of 128 threads over 16 rows, two 16-byte loads in flight per
//   thread, split-K when the rows alone do not give every SM work (fill_gpu). Evidence: A100 paper
//   Table 1 (cuBLAS fp16 49152x12288 at 82% of DRAM peak).
// - sm_89 (Ada) batch-1 GEMV: the same launch (split-K to fill the GPU) with low memory-level
//   parallelism: about 6 bytes per thread in flight instead of 32, so a grid of 2 blocks per SM is
//   latency-bound even on L2-resident weights. That figure is what Little's law needs for the
//   published RTX 4090 batch-1 times (bitsandbytes optimization.md: 4096x4096 43 us with the
//   33.5 MB of weights L2-resident, slower than streaming them from DRAM, while batch 4 on the
//   same weights takes 22 us; 11008x4096 128 us). The held-out Nsight Compute figure (5120x2048,
//   ~51 us) agrees within 16%, but it was looked at while choosing, so it does not check this
//   figure independently. It is an inferred property of a closed-source kernel, not a documented
//   one, and it is applied to every sm_89 target although only the RTX 4090 was measured.
// - Not measured: sm_100 is taken to behave like sm_90 (compute capability >= 9.0), sm_75 and sm_86
//   like sm_80.
constexpr double kTensorGemmBytesInFlight = 64;
constexpr double kGemvBytesInFlight = 32;
constexpr double kAdaGemvBytesInFlight = 6;

enum class CublasPath { gemv, ada_gemv, tensor_gemm };

CublasPath cublas_path(const Problem& p, bool tensor_cores, const GpuSpec* target) {
  const int cc = target != nullptr ? target->compute_capability() : 80;
  if (tensor_cores && (p.batch > 1 || cc >= 90))
    return CublasPath::tensor_gemm;
  if (cc == 89 && p.batch == 1)
    return CublasPath::ada_gemv;
  return CublasPath::gemv;
}

KernelWorkload cublas(std::string name, const Problem& p, double weight_bytes,
                      double activation_bytes, double output_bytes, bool tensor_cores,
                      const GpuSpec* target) {
  auto w = dense_gemv(std::move(name), p, weight_bytes, activation_bytes, output_bytes);
  switch (cublas_path(p, tensor_cores, target)) {
  case CublasPath::tensor_gemm:
    w.tensor_flops = 2.0 * static_cast<double>(p.m) * static_cast<double>(p.k) * p.batch;
    w.alu_ops = 0;
    w.grid_blocks = ceil_div(p.m, 128);
    w.bytes_in_flight_per_thread = kTensorGemmBytesInFlight;
    w.fill_gpu = true;
    w.split_k_reduce = true;
    w.output_elements = static_cast<double>(p.m) * p.batch;
    break;
  case CublasPath::gemv:
    w.fill_gpu = true;
    w.bytes_in_flight_per_thread = kGemvBytesInFlight;
    break;
  case CublasPath::ada_gemv:
    w.fill_gpu = true;
    w.bytes_in_flight_per_thread = kAdaGemvBytesInFlight;
    break;
  }
  return w;
}
} // namespace

std::string_view to_string(Baseline baseline) {
  switch (baseline) {
  case Baseline::cublas_fp32:
    return "cublas_fp32";
  case Baseline::cublas_fp16:
    return "cublas_fp16";
  case Baseline::cublas_int8:
    return "cublas_int8";
  case Baseline::optq_fused:
    return "optq_fused";
  case Baseline::optq_dequant_cublas:
    return "optq_dequant_cublas";
  case Baseline::awq_int4:
    return "awq_int4";
  }
  return "?";
}

Baseline baseline_from_string(std::string_view text) {
  std::string known;
  for (Baseline b : kBaselines) {
    if (to_string(b) == text)
      return b;
    known += (known.empty() ? "" : ", ") + std::string(to_string(b));
  }
  throw UsageError(fmt::format("unknown baseline '{}' (known: {})", text, known));
}

KernelWorkload baseline_workload(Baseline baseline, const Problem& p, const GpuSpec* target) {
  const double mk = static_cast<double>(p.m) * static_cast<double>(p.k);
  switch (baseline) {
  case Baseline::cublas_fp32:
    return cublas("cuBLAS fp32 GEMV", p, 4, 4, 4, false, target);
  case Baseline::cublas_fp16:
    return cublas("cuBLAS fp16 GEMV", p, 2, 2, 2, true, target);
  case Baseline::cublas_int8:
    return cublas("cuBLAS int8 GEMM", p, 1, 1, 4, true, target);
  case Baseline::optq_fused: {
    // GPTQ's vecquant3matmul launch: 256-thread blocks, each over 256 output rows (one per
    // thread) and a 256-long slice of K, partial sums added with atomicAdd into y (zeroed before).
    // q-bit values packed along K in uint32 words (one word per thread per step in flight),
    // per-output-channel scale and zero. Per weight in FP32 lanes: extract (shift, and, and an or
    // where a value straddles two words), convert, scale-and-zero FMA, then one FMA per column.
    auto w = dense_gemv(fmt::format("OPTQ-style fused {}-bit GEMV", p.bits), p, p.bits / 8.0, 2, 2);
    w.dram_bytes += static_cast<double>(p.m) * 2 * kFp16Bytes;
    w.weight_bytes += static_cast<double>(p.m) * 2 * kFp16Bytes;
    w.alu_ops = mk * (5 + p.batch);
    w.threads_per_block = 256;
    const std::int64_t k_slices = ceil_div(p.k, 256);
    w.grid_blocks = ceil_div(p.m, 256) * k_slices;
    w.bytes_in_flight_per_thread = 4;
    // The block's slice of activations staged in shared memory, read back per weight.
    w.smem_per_block = 256 * static_cast<std::int64_t>(kFp16Bytes) * p.batch;
    w.smem_build_ops = static_cast<double>(w.grid_blocks) * 256 * p.batch;
    w.smem_lookups = mk * p.batch / 2; // half2 reads of staged activations
    w.atomics = static_cast<double>(p.m) * static_cast<double>(k_slices) * p.batch;
    w.launches = 2; // zeroing y, then the kernel
    return w;
  }
  case Baseline::optq_dequant_cublas: {
    // Two launches: read packed weights and write fp16 weights, then cuBLAS reads them back.
    auto w = dense_gemv(fmt::format("OPTQ-style {}-bit dequantize + cuBLAS fp16", p.bits), p,
                        p.bits / 8.0 + 2 * kFp16Bytes, 2, 2);
    w.dram_bytes += static_cast<double>(p.m) * 2 * kFp16Bytes;
    w.weight_bytes = w.dram_bytes;
    w.alu_ops = mk * (3 + p.batch);
    w.fill_gpu = true;
    w.launches = 2;
    return w;
  }
  case Baseline::awq_int4: {
    // llm-awq's GEMV launch: one block row per 4 outputs and one per activation column (each
    // column re-reads the weights: time grows with batch, as published for A10). Per weight in
    // FP32 lanes: extract, convert, zero-and-scale FMA, then one FMA per column (no half2).
    auto w = dense_gemv("AWQ-style int4 GEMV", p, 0.5, 2, 2);
    w.weight_bytes = mk * 0.5 + static_cast<double>(p.m) * p.groups_per_row() * 2 * kFp16Bytes;
    w.dram_bytes = w.weight_bytes * p.batch + static_cast<double>(p.k) * p.batch * kFp16Bytes +
                   static_cast<double>(p.m) * p.batch * kFp16Bytes;
    w.alu_ops = mk * (3 + p.batch);
    w.grid_blocks = ceil_div(p.m, 4) * p.batch;
    return w;
  }
  }
  throw RuntimeError("baseline_workload: unknown baseline");
}

LutgemmDesign paper_lutgemm_design() {
  return LutgemmDesign{};
}

double packed_bcq_bytes(const Problem& p) {
  const double m_stride = static_cast<double>(ceil_div(p.m, kRowPadding) * kRowPadding);
  const double groups = static_cast<double>(p.groups_per_row());
  double bytes = m_stride * static_cast<double>(p.k) * p.bits / 8.0; // bit planes
  bytes += m_stride * groups * p.bits * kFp16Bytes;                  // alpha
  if (p.has_offset)
    bytes += m_stride * groups * kFp16Bytes; // offset z
  return bytes;
}

KernelWorkload lutgemm_workload(const Problem& p, const LutgemmDesign& d) {
  if (d.rows_per_block <= 0 || d.k_tile <= 0 || d.threads <= 0 || d.mu <= 0 || d.mu > 16 ||
      d.table_copies <= 0) {
    throw UsageError(fmt::format("LUT-GEMM design out of range: rows_per_block={} k_tile={} "
                                 "threads={} mu={} copies={}",
                                 d.rows_per_block, d.k_tile, d.threads, d.mu, d.table_copies));
  }
  KernelWorkload w;
  const std::int64_t k_tile = std::min<std::int64_t>(d.k_tile, p.k);
  const bool split_k = d.k_split_atomics && k_tile < p.k;
  w.name = fmt::format("LUT-GEMM q{} g{} th{} kt{} mu{}{}{}", p.bits, group_text(p.group),
                       d.rows_per_block, k_tile, d.mu, d.half_tables ? " half" : "",
                       d.table_copies > 1 ? fmt::format(" x{}", d.table_copies) : "");
  const std::int64_t row_blocks = ceil_div(p.m, d.rows_per_block);
  const std::int64_t k_blocks = split_k ? ceil_div(p.k, k_tile) : 1;
  w.grid_blocks = row_blocks * k_blocks;
  w.threads_per_block = d.threads;
  w.regs_per_thread = d.regs_per_thread;

  const double entries = static_cast<double>(1 << (d.half_tables ? d.mu - 1 : d.mu));
  // Tables resident at once: one K tile's sub-vectors for every activation column.
  const double tables_per_tile = static_cast<double>(ceil_div(k_tile, d.mu)) * p.batch;
  w.smem_per_block =
      static_cast<std::int64_t>(tables_per_tile * entries * d.table_entry_bytes * d.table_copies);
  // Every row block rebuilds the tables of all of K (the redundancy the paper's kernel has).
  const double tables_total = static_cast<double>(row_blocks) * p.k / d.mu * p.batch;
  w.smem_build_ops = tables_total * entries * d.table_copies;
  const double m = static_cast<double>(p.m);
  const double lookups = m * static_cast<double>(p.k) / d.mu * p.bits * p.batch;
  w.smem_lookups = lookups;
  w.bank_conflict_factor =
      expected_bank_conflict_factor(static_cast<int>(entries), d.table_entry_bytes, d.table_copies);
  // Per lookup: extract the key byte (shift + and), add into the plane's sum (+ a sign flip with
  // half tables); per (row, group, plane, column): one FMA with alpha; tables: one add per entry.
  const double per_lookup = 3 + (d.half_tables ? 1 : 0);
  w.alu_ops = lookups * per_lookup +
              m * static_cast<double>(p.groups_per_row()) * (p.bits + 1) * p.batch +
              w.smem_build_ops;
  w.atomics = split_k ? m / 2 * static_cast<double>(k_blocks) * p.batch : 0; // half2 atomics
  w.launches = split_k ? 2 : 1;
  // Each thread loads one 32-bit word per bit-plane for each of its rows per step; the loads are
  // independent, so all are in flight at once.
  const double rows_per_thread = std::max(1.0, static_cast<double>(d.rows_per_block) / d.threads);
  w.bytes_in_flight_per_thread = 4.0 * p.bits * rows_per_thread;

  w.weight_bytes = packed_bcq_bytes(p);
  w.dram_bytes =
      w.weight_bytes + static_cast<double>(p.k) * p.batch * kFp16Bytes + m * p.batch * kFp16Bytes;
  // The zeroing kernel writes y before the GEMV starts: it does not overlap it.
  if (split_k)
    w.serial_bytes = m * p.batch * kFp16Bytes;
  return w;
}

} // namespace lutgemm::model
