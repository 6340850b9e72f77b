#include "model/variant_workload.hpp"

#include "model/workloads.hpp"

#include <algorithm>

namespace lutgemm::model {

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
  // Not modelled: build=split (the model counts one add per table entry for either build; the
  // emulator's counters, tune --counters, see the difference in shared-memory loads).
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
  if (p.accum == Accum::h2) {
    // One lookup (and one half2 add) per key serves two columns; the tables of a column pair are
    // one set: half the table builds' stores.
    w.smem_lookups *= 0.5;
    w.smem_build_ops *= 0.5;
  }
  w.name = lut_label(problem, p);
  return w;
}

} // namespace lutgemm::model
