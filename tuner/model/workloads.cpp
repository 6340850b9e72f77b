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

// A GEMV streaming `weight_bytes_per_element`-byte weights: one FMA per weight and column.
KernelWorkload dense_gemv(std::string name, const Problem& p, double weight_bytes,
                          double activation_bytes, double output_bytes) {
  KernelWorkload w;
  w.name = std::move(name);
  const double mk = static_cast<double>(p.m) * static_cast<double>(p.k);
  w.dram_bytes = mk * weight_bytes + static_cast<double>(p.k) * p.batch * activation_bytes +
                 static_cast<double>(p.m) * p.batch * output_bytes;
  w.alu_ops = mk * p.batch;
  // cuBLAS's GEMV splits rows over blocks of 128 threads, a few rows per warp.
  w.threads_per_block = 128;
  w.regs_per_thread = 64;
  w.grid_blocks = ceil_div(p.m, 16);
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

KernelWorkload baseline_workload(Baseline baseline, const Problem& p) {
  const double mk = static_cast<double>(p.m) * static_cast<double>(p.k);
  switch (baseline) {
  case Baseline::cublas_fp32:
    return dense_gemv("cuBLAS fp32 GEMV", p, 4, 4, 4);
  case Baseline::cublas_fp16:
    return dense_gemv("cuBLAS fp16 GEMV", p, 2, 2, 2);
  case Baseline::cublas_int8:
    return dense_gemv("cuBLAS int8 GEMM", p, 1, 1, 4);
  case Baseline::optq_fused: {
    // q-bit values packed along K in uint32 words, per-output-channel fp16 scale and zero
    // (pre-multiplied); per weight: extract, convert, FMA with the scale, FMA into the sum.
    auto w = dense_gemv(fmt::format("OPTQ-style fused {}-bit GEMV", p.bits), p, p.bits / 8.0, 2, 2);
    w.dram_bytes += static_cast<double>(p.m) * 2 * kFp16Bytes;
    w.alu_ops = mk * (3 + p.batch);
    w.threads_per_block = 256;
    w.grid_blocks = ceil_div(p.m, 256);
    // Activations staged in shared memory once per block (GPTQ's kernel keeps a lookup of them).
    w.smem_per_block = 1024 * static_cast<std::int64_t>(kFp16Bytes) * p.batch;
    w.smem_build_ops = static_cast<double>(w.grid_blocks) * p.k * p.batch;
    w.smem_lookups = mk * p.batch / 2; // half2 reads of staged activations
    return w;
  }
  case Baseline::optq_dequant_cublas: {
    // Two launches: read packed weights and write fp16 weights, then cuBLAS reads them back.
    auto w = dense_gemv(fmt::format("OPTQ-style {}-bit dequantize + cuBLAS fp16", p.bits), p,
                        p.bits / 8.0 + 2 * kFp16Bytes, 2, 2);
    w.dram_bytes += static_cast<double>(p.m) * 2 * kFp16Bytes;
    w.alu_ops = mk * (3 + p.batch);
    w.launches = 2;
    return w;
  }
  case Baseline::awq_int4: {
    auto w = dense_gemv("AWQ-style int4 GEMV", p, 0.5, 2, 2);
    w.dram_bytes += static_cast<double>(p.m) * p.groups_per_row() * 2 * kFp16Bytes;
    w.alu_ops = mk * (2 + p.batch);
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
  w.name = fmt::format("LUT-GEMM q{} g{} th{} kt{} mu{}{}{}", p.bits,
                       p.group == kRowWise ? std::string("row") : std::to_string(p.group),
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

  w.dram_bytes = packed_bcq_bytes(p) + static_cast<double>(p.k) * p.batch * kFp16Bytes +
                 m * p.batch * kFp16Bytes * (split_k ? 2 : 1); // zeroing pass writes y once more
  return w;
}

} // namespace lutgemm::model
