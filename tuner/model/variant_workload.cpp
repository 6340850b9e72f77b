#include "model/variant_workload.hpp"

#include "model/workloads.hpp"

#include <algorithm>

namespace lutgemm::model {

namespace {

// What kernels/lutgemm.cuh spends building the tables, beyond the one add and the stores per entry
// that lutgemm_workload counts. Direct: each entry sums Mu activations read from shared memory
// (broadcast loads: one wavefront per warp and activation) with a select and an add each. Split:
// 2 x 2^(Mu/2) partial sums per sub-vector (Mu/2 loads, selects and adds each, one store), then
// per entry two partial-sum loads (lanes hit distinct banks or broadcast) and the one add.
void add_table_build_cost(KernelWorkload& w, const LutParams& p, double entries_built) {
  const double entries_per_table =
      static_cast<double>(1 << (p.table == TableKind::half ? p.mu - 1 : p.mu));
  const double tables_built = entries_built / entries_per_table;
  if (p.build == TableBuild::direct) {
    w.smem_build_ops += entries_built * p.mu;
    w.alu_ops += entries_built * (2.0 * p.mu - 1);
  } else {
    const double half = p.mu / 2;
    const double partials = tables_built * 2 * (1 << (p.mu / 2));
    w.smem_build_ops += entries_built * 2 + partials * (half + 1);
    w.alu_ops += partials * 2 * half;
  }
}

} // namespace

KernelWorkload lut_variant_workload(const Problem& problem, const LutParams& p,
                                    int regs_per_thread) {
  LutgemmDesign d;
  d.rows_per_block = p.threads * p.rows_per_thread;
  d.threads = p.threads;
  d.mu = p.mu;
  // h2 entries are 4 bytes but serve two columns (the lookups are halved below).
  d.table_entry_bytes = p.accum == Accum::f16 ? 2 : 4;
  d.half_tables = p.table == TableKind::half;
  d.table_copies = p.copies; // the model's expected conflict factor and table stores know copies
  // The build's own cost (direct vs split) is added below: lutgemm_workload counts one add and
  // the stores per entry, the paper design's figure that model-check calibrates.
  d.regs_per_thread = regs_per_thread > 0 ? regs_per_thread : 64;
  // Each block walks ceil(tiles / split) K tiles: that is the K a block covers.
  const std::int64_t tiles = (problem.k + p.k_tile - 1) / p.k_tile;
  const std::int64_t splits = std::min<std::int64_t>(p.split, tiles);
  d.k_tile = static_cast<int>(((tiles + splits - 1) / splits) * p.k_tile);
  d.k_split_atomics = splits > 1;
  auto w = lutgemm_workload(problem, d);
  // The model keeps a whole block's K of tables resident; the kernel keeps one K tile's (plus the
  // fp32 activation tile): use the kernel's own figure and its real grid.
  w.smem_per_block = lut_smem_bytes(p);
  const std::int64_t rows_per_block = std::int64_t(p.threads) * p.rows_per_thread;
  w.grid_blocks = ((problem.m + rows_per_block - 1) / rows_per_block) * splits *
                  ((problem.batch + p.batch_cols - 1) / p.batch_cols);
  if (splits > 1) {
    const double outputs = static_cast<double>(problem.m) * problem.batch;
    // The model's split-K assumes half2 atomics into y plus a zeroing pass; ours go through an
    // fp32 workspace: atomic adds it (and a conversion pass), reduce writes and re-reads partials.
    w.serial_bytes = 0; // the model's zeroing of fp16 y: ours is accounted below
    if (p.combine == Combine::atomic) {
      w.atomics = outputs * static_cast<double>(splits);
      w.dram_bytes += outputs * 4 * 3; // zero, atomics' final values, conversion read
      w.launches = 3;
    } else {
      w.atomics = 0;
      w.dram_bytes += outputs * 4 * static_cast<double>(splits) * 2; // write + read partials
      w.launches = 2;
    }
  }
  // Distinct entries summed, every block and column (an h2 entry holds two sums).
  const double entries_built = w.smem_build_ops / p.copies;
  if (p.accum == Accum::h2) {
    // One lookup (and one half2 add) per key serves two columns; the tables of a column pair are
    // one set: half the table builds' stores.
    w.smem_lookups *= 0.5;
    w.smem_build_ops *= 0.5;
  }
  add_table_build_cost(w, p, entries_built);
  w.name = lut_label(problem, p);
  return w;
}

} // namespace lutgemm::model
