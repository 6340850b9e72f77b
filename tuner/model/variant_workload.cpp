#include "model/variant_workload.hpp"

#include "kernels/split_k_plan.hpp"
#include "model/workloads.hpp"

#include <algorithm>

namespace lutgemm::model {

namespace {

// What kernels/lutgemm.cuh spends building the tables, beyond the one add and the stores per entry
// that lutgemm_workload counts. Direct: each entry sums Mu activations read from shared memory
// (broadcast loads: one wavefront per warp and activation) with a select and an add each. Split:
// 2 x 2^(Mu/2) partial sums per sub-vector (Mu/2 loads, selects and adds each, one store), then
// per entry two partial-sum loads (lanes hit distinct banks or broadcast) and the one add. Pair
// tables keep their partial sums as fp16 entries (all columns of a set in one): loads and stores
// move half the bytes of fp32 partial sums.
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
    const double bytes_factor = entry_columns(p.accum) > 1 ? 0.5 : 1.0;
    w.smem_build_ops += entries_built * 2 * bytes_factor + partials * (half + bytes_factor);
    w.alu_ops += partials * 2 * half;
  }
}

// The lookups as the kernel's inner loop does them. Per key (a Mu-bit field of one row's word of
// one plane, once per block of batch_cols columns, padding columns included): a shift and an and
// (and, for hN half tables, the +-1 factor); per table set (batch_cols / N of them): one shared
// load (of a 2N-byte entry for hN tables, whose conflict factor counts its phases) and the adds:
// one per column with f32/f16 tables (plus a sign select with half tables), N/2 half2 FMAs for hN
// tables (the sign is a +-1 half2 factor). At batch 1 this equals lutgemm_workload's 3 (+1) per
// lookup.
void recount_lookups(KernelWorkload& w, const Problem& problem, const LutParams& p) {
  const double half = p.table == TableKind::half ? 1 : 0;
  const double m = static_cast<double>(problem.m);
  const double per_column_lookups = m * static_cast<double>(problem.k) / p.mu * problem.bits;
  const double column_blocks =
      static_cast<double>((problem.batch + p.batch_cols - 1) / p.batch_cols);
  const double keys = per_column_lookups * column_blocks;
  const int cols = entry_columns(p.accum);
  const double sets = static_cast<double>(p.batch_cols / cols);
  // lutgemm_workload charged (3 + half) per lookup of every column: take that out.
  w.alu_ops -= per_column_lookups * problem.batch * (3 + half);
  const double per_key = cols > 1 ? 2 + half : 2;
  const double per_set = cols > 1 ? cols / 2.0 : 1 + half;
  w.alu_ops += keys * (per_key + sets * per_set);
  w.smem_lookups = keys * sets;
}

} // namespace

KernelWorkload lut_variant_workload(const Problem& problem, const LutParams& p,
                                    int regs_per_thread) {
  LutgemmDesign d;
  d.rows_per_block = p.threads * p.rows_per_thread;
  d.threads = p.threads;
  d.mu = p.mu;
  // hN entries are 2N bytes and serve N columns (the lookups are recounted below); the expected
  // conflict factor of 8- and 16-byte entries includes their half- and quarter-warp phases.
  const int cols = entry_columns(p.accum);
  d.table_entry_bytes = p.accum == Accum::f16 ? 2 : p.accum == Accum::f32 ? 4 : 2 * cols;
  d.half_tables = p.table == TableKind::half;
  d.table_copies = p.copies; // the model's expected conflict factor and table stores know copies
  // The build's own cost (direct vs split) is added below: lutgemm_workload counts one add and
  // the stores per entry, the paper design's figure that model-check calibrates.
  d.regs_per_thread = regs_per_thread > 0 ? regs_per_thread : 64;
  // Each block walks ceil(tiles / split) K tiles: that is the K a block covers. The grid has a
  // block per run of tiles (the launch plan's splits: none empty, e.g. 5 for 10 tiles, split 9).
  const std::int64_t tiles = (problem.k + p.k_tile - 1) / p.k_tile;
  const std::int64_t splits = effective_splits(problem.k, p.k_tile, p.split);
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
  // Distinct entries summed, every block and column (an hN entry holds N sums).
  const double entries_built = w.smem_build_ops / p.copies;
  // lutgemm_workload's one add per stored entry: the kernel sums an entry once and stores it to
  // every copy.
  w.alu_ops -= w.smem_build_ops - entries_built;
  if (cols > 1) {
    // fp16 entries: a store moves 2 bytes per column, half the wavefronts of 4-byte stores.
    w.smem_build_ops *= 0.5;
  }
  recount_lookups(w, problem, p);
  if (half2_accumulators(p.accum)) {
    // __half2 accumulators: lutgemm_workload's alpha (and offset) FMA per column is one HFMA2
    // per pair of columns.
    w.alu_ops -= 0.5 * static_cast<double>(problem.m) *
                 static_cast<double>(problem.groups_per_row()) * (problem.bits + 1) * problem.batch;
  }
  if (p.store == TableStore::shfl) {
    // Register tables: every warp builds the tile's tables itself (each lane 4 entries per
    // column, mu broadcast loads of the staged activations with a select and an add each), stores
    // nothing, and each lookup is one shuffle (one pass, no bank conflicts).
    const double built = entries_built * (p.threads / 32.0);
    w.smem_build_ops = built * p.mu;
    w.alu_ops += built * 2 * p.mu;
    w.bank_conflict_factor = 1;
  } else {
    add_table_build_cost(w, p, entries_built);
  }
  w.name = lut_label(problem, p);
  return w;
}

} // namespace lutgemm::model
