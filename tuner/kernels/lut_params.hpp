#pragma once
// The LUT-GEMM kernel family (kernels/lutgemm.cuh) seen from the host: its tuning knobs, a stable
// label per variant, the constraints that reject a combination up front (with the reason), the
// launch plan every backend runs, and the defaults we ship per (bits, batch).
//
// Problem parameters (bits q, group g, has_offset) come from the Problem; the rest are knobs:
//   mu              4 | 8         bits per table key (table of 2^mu signed sums of mu activations)
//   rows_per_thread 1 | 2 | 4 | 8 output rows per thread (multiple of load_bits / 32)
//   threads         64..512       threads per block; rows per block = threads * rows_per_thread
//   k_tile          32..256       weights along K per table build (the tables of one tile)
//   load_bits       32 | 64 | 128 width of one weight load (= 1, 2, 4 neighbouring rows)
//   accum           f32 | f16 | h2 | h4 | h8 | h4h | h8h  accumulation and table type; hN: fp16
//                                 tables of N columns per entry (N/2 __half2 read with one
//                                 4/8/16-byte load, one lookup for N columns), fp32 accumulators;
//                                 hNh: the same tables with __half2 accumulators (fp16
//                                 accumulation, half the registers: 64 accumulators per thread)
//   table           full | half   half: 2^(mu-1) entries, LUT[~key] = -LUT[key]
//   batch_cols      1..8          activation columns per block (one table set each)
//   split           1..16         blocks along K (each walks ceil(tiles / split) tiles): powers
//                                 of two and 3, 6, 9, 11, 12 (fill SM counts, see lut_knobs)
//   combine         none | atomic | reduce   how the splits are summed (none iff split == 1)
//   copies          1 | 2 | 4 | 8 | 16 | 32  interleaved replicas of every table: lane l reads
//                                            copy l % copies (fewer bank conflicts, more smem)
//   build           direct | split  split: entries from two half-key partial sums (1 add each)
//   store           smem | shfl   shfl: mu-4 tables in registers, looked up with __shfl_sync
//                                 (full tables, K tile 32, one copy, direct build, f32/f16)
#include "jit/launch_plan.hpp"
#include "kernels/knobs.hpp"
#include "kernels/split_k_plan.hpp" // the combine helpers (zero_f32_spec, ...)
#include "problem/problem.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lutgemm {

enum class Accum { f32, f16, h2, h4, h8, h4h, h8h };
std::string to_string(Accum accum);
// Activation columns one table entry serves: 1 (f32, f16), 2 (h2), 4 (h4, h4h), 8 (h8, h8h).
int entry_columns(Accum accum);
// Whether the accumulators are __half2 pairs of columns (h4h, h8h): the kernel's AccF32 = false
// with pair tables.
bool half2_accumulators(Accum accum);
// Accumulator values one thread can hold without spilling: 32 fp32/fp16 ones, or 32 __half2
// registers of 64 values.
int max_accumulators(Accum accum);
// Whether the variant rounds partial sums to fp16 (fp16 tables or sums: every accum but f32), which
// gives the verifier's looser accumulation bound (search/verification.hpp).
bool rounds_sums_to_fp16(Accum accum);
Accum accum_from_string(const std::string& text); // throws UsageError

enum class TableKind { full, half };
enum class TableBuild { direct, split };
enum class TableStore { smem, shfl };
std::string to_string(TableStore store);
TableStore store_from_string(const std::string& text); // throws UsageError
std::string to_string(TableBuild build);
TableBuild build_from_string(const std::string& text); // throws UsageError
std::string to_string(TableKind table);
TableKind table_from_string(const std::string& text); // throws UsageError

struct LutParams {
  int mu = 8;
  int rows_per_thread = 4;
  int threads = 256;
  int k_tile = 128;
  int load_bits = 128;
  Accum accum = Accum::f32;
  TableKind table = TableKind::half;
  int batch_cols = 1;
  int split = 1;
  Combine combine = Combine::none;
  int copies = 1;
  TableBuild build = TableBuild::direct;
  TableStore store = TableStore::smem;
  friend bool operator==(const LutParams&, const LutParams&) = default;
};

// Largest dynamic shared memory a variant may ask for: the largest opt-in of any target (sm_90,
// 227 KiB). Launches past 48 KiB opt in (CUDA backend and emulator); whether a target allows a
// variant's amount is the pre-filter's check (its smem_per_block_optin, e.g. 163 KiB on sm_80).
inline constexpr std::int64_t kLutMaxSmemBytes = 227 * 1024;

// Each knob with its allowed values (the search space's axes).
const std::vector<Knob>& lut_knobs();
KnobValues to_values(const LutParams& params);
LutParams lut_params_from_values(const KnobValues& values); // throws UsageError

// "lut_q3_g128_mu8_r4_t256_kt128_ld128_f32_half_b1_split4_reduce" (g: "row" when row-wise; "_noz"
// after the group when the problem has no offsets; the combine suffix only when split > 1; then
// "_c4" when copies > 1 and "_bsplit" for the split build, so labels of earlier variants stand).
std::string lut_label(const Problem& problem, const LutParams& params);
// The knob part of a label back into parameters ("mu8_r4_..._split4_reduce" or a whole label).
LutParams lut_params_from_label(std::string_view label); // throws UsageError

// Dynamic shared memory of one block in bytes (tables with their copies + the fp32 activation tile
// + the split build's partial sums).
std::int64_t lut_smem_bytes(const LutParams& params);

// Why this combination cannot run this problem, or nullopt when it can.
std::optional<std::string> check(const Problem& problem, const LutParams& params);

// The kernel itself (the main launch of the plan).
KernelSpec lut_kernel_spec(const Problem& problem, const LutParams& params);

// All launches of the variant, in order. Throws UsageError with check()'s reason if unsupported.
LaunchPlan make_launch_plan(const Problem& problem, const LutParams& params);

// What we would ship for this (bits, batch) without tuning.
LutParams default_lut_params(int bits, int batch);

} // namespace lutgemm
