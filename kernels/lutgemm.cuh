#pragma once
// LUT-GEMM: y[b][m] = sum_k W[m][k] x[b][k] with W in (extended) binary-coding quantization,
// computed from lookup tables of signed sub-vector sums, never by dequantizing W.
// Weight layout: tuner/quant/packed_bcq.hpp (words [k/32][q][m_stride], M fastest, rows padded to
// 8; alpha [k/g][q][m_stride]; offset [k/g][m_stride]). x fp16 [batch][k], y fp16 [batch][m].
//
// One block: T threads x R rows per thread (rows_per_block = T * R), BC activation columns
// (blockIdx.z), and a run of consecutive K tiles of KT weights (blockIdx.y = K split). Per K tile
// the block stages x in shared memory as fp32, builds BC * KT/Mu tables of 2^Mu signed sums (or
// half of them: LUT[~key] = -LUT[key]), then every thread walks the tile's 32-wide words: per
// bit-plane one vector load of LdBits covers LdBits/32 neighbouring rows (coalesced across the
// warp), each Mu-bit field of a word keys its sub-vector's table. The sum of lookups over a run of
// words that share a group (a "segment") is scaled once by that group's alpha; offsets use the
// table's all-plus entry (the sub-vector sum). The group is derived per 32-wide word, so any g
// (smaller than, equal to, larger than or not a multiple of KT, or row-wise) is right. Accumulators
// stay in registers across all K tiles of the block; K splits are combined per CombineMode
// (lutgemm_common.cuh).
//
// Kernel v2 knobs (template arguments with defaults, so the original kernel's name is unchanged):
//   Copies      replicas of every table entry, interleaved (entry e of copy c at e * Copies + c);
//               lane l reads copy l % Copies, so lanes that read one entry index in different
//               copies never share a bank word, and with 32 copies a warp's lookups never
//               collide. The build writes every copy.
//   SplitBuild  each table entry is the sum of two partial sums of Mu/2 activations (the low and
//               the high half of its key), built first as 2 x 2^(Mu/2) entries per sub-vector:
//               one add per entry instead of Mu. With PairTables the partial sums are stored as
//               table entries (fp16, all columns of a set in one Entry): an entry is then two
//               Entry loads and Pack HADD2, half the shared-memory bytes of fp32 partial sums.
//   PairTables  one table set per pair of activation columns, of __half2 entries (column 2j in the
//               low half, 2j + 1 in the high half): one lookup and one __hadd2 serve both columns.
//               Partial sums of a segment are __half2; the accumulators stay fp32 (AccF32).
//   Pack        __half2 per pair-table entry (1, 2, 4; PairTables only): one set per 2 x Pack
//               columns, read with one 4-, 8- or 16-byte load, so one key extraction and one
//               load serve up to 8 columns. The hardware serves 8-byte loads per half warp and
//               16-byte ones per quarter warp, so Copies = 16 (Pack 2) or 8 (Pack 4) already make
//               a warp's lookups conflict-free: 4x fewer replicas (bytes) than Copies 32 of h2.
//   ShflTables  tables in registers (Mu 4, full tables, KT 32, one copy, direct build, f32/f16):
//               each warp builds the 8 tables of the tile's word itself, lane l holding entry
//               l % 16 of sub-vectors 2j + l / 16 (j = 0..3) per column, and a lookup is one
//               __shfl_sync from lane key + 16 (t % 2): no shared-memory tables, no bank conflicts.
//   AccF32 = false with PairTables: __half2 accumulators, one per pair of columns (fp16
//               accumulation), scaled by alpha with one HFMA2 per pair: half the accumulator
//               registers of fp32, so twice the rows per thread (and per table build) fit.
// Packed entries (Pack > 1) ask ptxas for 512 / T blocks per SM (a budget of 128
// registers per thread): with no minimum, ptxas picked 80 registers and spilled for mu 8, 4 rows
// and 8 columns at 256 threads.
//
// Shared memory (dynamic, set by the host plan, tuner/kernels/lut_params.cpp):
//   tables: BC * (KT/Mu) * E * Copies * sizeof(acc type), E = 2^Mu (full) or 2^(Mu-1) (half);
//           with PairTables BC/(2 Pack) sets of 4 Pack-byte entries (the bytes of fp16 tables)
//   x tile: BC * KT * 4 bytes
//   partial sums (SplitBuild): BC * (KT/Mu) * 2 * 2^(Mu/2) * 4 bytes (PairTables use half)
#include "lutgemm_common.cuh"

namespace lutgemm {

// One lookup; HalfTable stores only keys with the top bit set: LUT[key] = -LUT[~key] otherwise.
// `table` points at this lane's copy of entry 0 (entries are Copies apart).
template <int Mu, bool HalfTable, int Copies, class Ops>
__device__ __forceinline__ void lut_accumulate(typename Ops::Type& part,
                                               const typename Ops::Type* __restrict__ table,
                                               unsigned int key) {
  using Acc = typename Ops::Type;
  if constexpr (HalfTable) {
    const unsigned int flip = (key >> (Mu - 1)) - 1u; // 0 if the top bit is set, else all ones
    const Acc v = Ops::load(table + ((key ^ flip) & ((1u << (Mu - 1)) - 1u)) * Copies);
    part = Ops::add_signed(part, v, flip != 0u);
  } else {
    part = Ops::add(part, Ops::load(table + key * Copies));
  }
}

template <int Q, int G, bool HasOffset, int Mu, int R, int T, int KT, int LdBits, bool AccF32,
          bool HalfTable, int BC, int Combine, int Copies = 1, bool SplitBuild = false,
          bool PairTables = false, int Pack = 1, bool ShflTables = false>
// Minimum blocks per SM: none, but 512 / T for packed entries (128 registers per thread).
__global__ void __launch_bounds__(T, Pack > 1 && T <= 512 ? 512 / T : 0)
    lutgemm_kernel(const unsigned int* __restrict__ bit_words, const __half* __restrict__ alpha,
                   const __half* __restrict__ offset, const __half* __restrict__ x,
                   __half* __restrict__ y, float* __restrict__ workspace, int m, int k, int batch) {
  static_assert(Q >= 1 && Q <= 8, "bits must be 1..8");
  static_assert(G >= 0 && G % 32 == 0, "g must be a multiple of 32 (0 = row-wise)");
  static_assert(Mu == 4 || Mu == 8, "mu must be 4 or 8");
  static_assert(LdBits == 32 || LdBits == 64 || LdBits == 128, "load width 32/64/128 bits");
  static_assert(R % (LdBits / 32) == 0, "rows per thread must be a multiple of the load's words");
  static_assert(KT % 32 == 0 && KT >= 32, "K tile must be a multiple of 32");
  static_assert(BC >= 1 && BC <= 32, "1..32 batch columns per block");
  static_assert(Copies >= 1 && Copies <= 32 && (Copies & (Copies - 1)) == 0,
                "table copies: a power of two, 1..32");
  static_assert(!PairTables || BC % 2 == 0, "pair tables need an even number of columns");
  static_assert(Pack == 1 || Pack == 2 || Pack == 4, "1, 2 or 4 __half2 per table entry");
  static_assert(Pack == 1 || (PairTables && BC % (2 * Pack) == 0),
                "packed entries are pair tables over a multiple of 2 x Pack columns");
  static_assert(!ShflTables || (Mu == 4 && !HalfTable && KT == 32 && Copies == 1 && !SplitBuild &&
                                !PairTables),
                "register tables: mu 4, full tables, K tile 32, one copy, direct build, f32/f16");

  using Ops = AccOps<AccF32>;
  using Acc = typename Ops::Type;
  using PairOps = typename Select<Pack == 1, Half2Ops, Half2PackOps<Pack>>::Type;
  using EntryOps = typename Select<PairTables, PairOps, Ops>::Type; // tables and partial sums
  using Entry = typename EntryOps::Type;
  constexpr int kSetCols = PairTables ? 2 * Pack : 1; // columns of one table set
  constexpr int kSets = BC / kSetCols; // table sets (one per column or group of 2 x Pack)
  constexpr int kLw = LdBits / 32;     // words (= rows) per vector load
  constexpr int kChunks = R / kLw;     // vector loads per (word, plane)
  constexpr int kEntries = HalfTable ? (1 << (Mu - 1)) : (1 << Mu);
  constexpr int kSubPerWord = 32 / Mu;
  constexpr int kSubVectors = KT / Mu;
  constexpr int kTableSize = kSubVectors * kEntries * Copies; // one table set
  constexpr int kWordsPerTile = KT / 32;
  constexpr unsigned int kKeyMask = (1u << Mu) - 1u;
  constexpr int kTableFloats = ShflTables ? 0 : (kSets * kTableSize * (int)sizeof(Entry) + 3) / 4;
  constexpr int kHalfBits = Mu / 2;
  constexpr int kPartials = 1 << kHalfBits; // partial sums per half key (SplitBuild)

  extern __shared__ __align__(16) float lutgemm_smem[]; // 16: packed entries' vector loads
  Entry* tables = reinterpret_cast<Entry*>(lutgemm_smem);
  float* xs = lutgemm_smem + kTableFloats;
  float* partials = xs + BC * KT; // [BC][KT/Mu][2][kPartials], SplitBuild only
  // PairTables: [set][KT/Mu][2][kPartials] entries (16-byte aligned: xs and the tables are).
  Entry* pair_partials = reinterpret_cast<Entry*>(partials);

  const int tid = threadIdx.x;
  const int copy = tid & (Copies - 1); // this lane's table copy
  const long long m_stride = ((long long)m + 7) / 8 * 8;
  const int kwords = k / 32;
  const int gwords = (G > 0 ? G : k) / 32;
  const int col0 = blockIdx.z * BC;
  const long long row0 = (long long)blockIdx.x * (T * R);
  const int ntiles = (k + KT - 1) / KT;
  const int per_split = (ntiles + gridDim.y - 1) / gridDim.y;
  const int tile_begin = blockIdx.y * per_split;
  const int tile_end = min(ntiles, tile_begin + per_split);

  // Thread rows: chunk j covers rows base[j] .. base[j] + kLw - 1; a warp's loads are contiguous.
  long long base[kChunks];
  bool live[kChunks];
#pragma unroll
  for (int j = 0; j < kChunks; ++j) {
    base[j] = row0 + (long long)j * T * kLw + (long long)tid * kLw;
    live[j] = base[j] < m_stride; // padding rows are zero in memory: loads need no tail case
  }

  // Accumulators: fp32 or fp16 per column, or (pair tables without AccF32) __half2 per pair.
  constexpr bool kAccPairs = PairTables && !AccF32;
  using AccVal = typename Select<kAccPairs, __half2, Acc>::Type;
  constexpr int kAccCols = kAccPairs ? BC / 2 : BC;
  AccVal acc[kAccCols][R];
#pragma unroll
  for (int c = 0; c < kAccCols; ++c)
#pragma unroll
    for (int r = 0; r < R; ++r) {
      if constexpr (kAccPairs)
        acc[c][r] = __float2half2_rn(0.0f);
      else
        acc[c][r] = Ops::zero();
    }

  for (int tile = tile_begin; tile < tile_end; ++tile) {
    const int k0 = tile * KT;
    const int kw0 = k0 / 32;
    const int tile_words = min(kWordsPerTile, kwords - kw0);

    __syncthreads(); // the previous tile's tables are no longer read
    for (int i = tid; i < BC * KT; i += T) {
      const int c = i / KT;
      const int kk = i - c * KT;
      const int col = col0 + c;
      xs[i] = (col < batch && k0 + kk < k) ? __half2float(x[(long long)col * k + k0 + kk]) : 0.0f;
    }
    __syncthreads();
    if constexpr (SplitBuild && PairTables) {
      // Signed sums of each half of every sub-vector, all columns of a set in one entry:
      // [set][s][half][pattern].
      for (int i = tid; i < kSets * kSubVectors * 2 * kPartials; i += T) {
        const int pattern = i % kPartials;
        const int half = (i / kPartials) % 2;
        const int ss = i / (2 * kPartials); // set * kSubVectors + s
        const int off = (ss % kSubVectors) * Mu + half * kHalfBits;
        float sum[kSetCols];
#pragma unroll
        for (int cc = 0; cc < kSetCols; ++cc) {
          const float* xv = xs + ((ss / kSubVectors) * kSetCols + cc) * KT + off;
          sum[cc] = 0.0f;
#pragma unroll
          for (int u = 0; u < kHalfBits; ++u)
            sum[cc] += ((pattern >> u) & 1) ? xv[u] : -xv[u];
        }
        Entry v;
#pragma unroll
        for (int h = 0; h < Pack; ++h)
          EntryOps::set(v, h, __floats2half2_rn(sum[2 * h], sum[2 * h + 1]));
        pair_partials[i] = v;
      }
      __syncthreads();
    } else if constexpr (SplitBuild) {
      // Signed sums of each half of every sub-vector: [c][s][half][pattern].
      for (int i = tid; i < BC * kSubVectors * 2 * kPartials; i += T) {
        const int pattern = i % kPartials;
        const int half = (i / kPartials) % 2;
        const int cs = i / (2 * kPartials); // c * kSubVectors + s
        const float* xv = xs + (cs / kSubVectors) * KT + (cs % kSubVectors) * Mu + half * kHalfBits;
        float sum = 0.0f;
#pragma unroll
        for (int u = 0; u < kHalfBits; ++u)
          sum += ((pattern >> u) & 1) ? xv[u] : -xv[u];
        partials[i] = sum;
      }
      __syncthreads();
    }
    // The signed sum of column c's sub-vector s for a key.
    auto entry_sum = [&](int c, int s, unsigned int key) {
      float sum = 0.0f;
      if constexpr (SplitBuild) {
        const float* ps = partials + (c * kSubVectors + s) * 2 * kPartials;
        sum = ps[key & (kPartials - 1)] + ps[kPartials + (key >> kHalfBits)];
      } else {
        const float* xv = xs + c * KT + s * Mu;
#pragma unroll
        for (int u = 0; u < Mu; ++u)
          sum += ((key >> u) & 1u) ? xv[u] : -xv[u];
      }
      return sum;
    };
    constexpr int kDistinct = kSets * kSubVectors * kEntries; // entries before replication
    // Register tables (ShflTables): this lane's entry (lane % 16) of sub-vectors 2j + lane / 16.
    [[maybe_unused]] Acc treg[ShflTables ? BC : 1][4];
    if constexpr (ShflTables) {
      const int lane = tid & 31;
#pragma unroll
      for (int c = 0; c < BC; ++c)
#pragma unroll
        for (int j = 0; j < 4; ++j)
          treg[c][j] =
              Ops::from_float(entry_sum(c, 2 * j + (lane >> 4), (unsigned int)(lane & 15)));
    }
    for (int i = ShflTables ? kDistinct : tid; i < kDistinct; i += T) {
      const int set = i / (kSubVectors * kEntries);
      const int rem = i - set * (kSubVectors * kEntries);
      const int s = rem / kEntries;
      const int e = rem - s * kEntries;
      const unsigned int key = HalfTable ? ((unsigned int)e | (1u << (Mu - 1))) : (unsigned int)e;
      Entry v;
      if constexpr (PairTables && SplitBuild) {
        const Entry* pp = pair_partials + (set * kSubVectors + s) * 2 * kPartials;
        v = EntryOps::add(EntryOps::load(pp + (key & (kPartials - 1))),
                          EntryOps::load(pp + kPartials + (key >> kHalfBits)));
      } else if constexpr (PairTables) {
#pragma unroll
        for (int h = 0; h < Pack; ++h)
          EntryOps::set(v, h,
                        __floats2half2_rn(entry_sum(set * kSetCols + 2 * h, s, key),
                                          entry_sum(set * kSetCols + 2 * h + 1, s, key)));
      } else {
        v = Ops::from_float(entry_sum(set, s, key));
      }
      // Copy order rotated by lane: the stores of a warp spread over the copies' banks.
#pragma unroll
      for (int k = 0; k < Copies; ++k)
        tables[i * Copies + ((k + tid) & (Copies - 1))] = v;
    }
    __syncthreads();

    // Segments: runs of words of this tile that share one group.
    for (int w = 0; w < tile_words;) {
      const int grp = (kw0 + w) / gwords;
      const int seg_end = min(tile_words, (grp + 1) * gwords - kw0);

#pragma unroll 1
      for (int i = 0; i < Q; ++i) {
        Entry part[kSets][R];
#pragma unroll
        for (int c = 0; c < kSets; ++c)
#pragma unroll
          for (int r = 0; r < R; ++r)
            part[c][r] = EntryOps::zero();

#pragma unroll 2
        for (int ww = w; ww < seg_end; ++ww) {
          const unsigned int* __restrict__ wp =
              bit_words + ((long long)(kw0 + ww) * Q + i) * m_stride;
          unsigned int words[R];
#pragma unroll
          for (int j = 0; j < kChunks; ++j) {
            unsigned int v[kLw];
            if (live[j]) {
              load_words<kLw>(wp + base[j], v);
            } else {
#pragma unroll
              for (int t = 0; t < kLw; ++t)
                v[t] = 0u;
            }
#pragma unroll
            for (int t = 0; t < kLw; ++t)
              words[j * kLw + t] = v[t];
          }
          const Entry* tw = tables + (ww * kSubPerWord * kEntries) * Copies + copy;
#pragma unroll
          for (int r = 0; r < R; ++r)
#pragma unroll
            for (int t = 0; t < kSubPerWord; ++t) {
              const unsigned int key = (words[r] >> (t * Mu)) & kKeyMask;
#pragma unroll
              for (int c = 0; c < kSets; ++c) {
                if constexpr (ShflTables) {
                  const Acc v =
                      __shfl_sync(0xffffffffu, treg[c][t >> 1], (int)key + ((t & 1) << 4));
                  part[c][r] = Ops::add(part[c][r], v);
                } else {
                  lut_accumulate<Mu, HalfTable, Copies, EntryOps>(
                      part[c][r], tw + c * kTableSize + t * kEntries * Copies, key);
                }
              }
            }
        }

        const __half* __restrict__ ap = alpha + ((long long)grp * Q + i) * m_stride;
#pragma unroll
        for (int j = 0; j < kChunks; ++j) {
          float a[kLw];
          if (live[j]) {
            load_halves<kLw>(ap + base[j], a);
          } else {
#pragma unroll
            for (int t = 0; t < kLw; ++t)
              a[t] = 0.0f;
          }
#pragma unroll
          for (int t = 0; t < kLw; ++t)
#pragma unroll
            for (int c = 0; c < kSets; ++c) {
              const int r = j * kLw + t;
              if constexpr (kAccPairs) {
                const __half2 a2 = __float2half2_rn(a[t]);
#pragma unroll
                for (int h = 0; h < Pack; ++h)
                  acc[c * Pack + h][r] =
                      __hfma2(a2, EntryOps::get(part[c][r], h), acc[c * Pack + h][r]);
              } else if constexpr (PairTables) {
#pragma unroll
                for (int h = 0; h < Pack; ++h) {
                  const __half2 ph = EntryOps::get(part[c][r], h);
                  const int c0 = c * kSetCols + 2 * h;
                  acc[c0][r] = fmaf(a[t], __low2float(ph), acc[c0][r]);
                  acc[c0 + 1][r] = fmaf(a[t], __high2float(ph), acc[c0 + 1][r]);
                }
              } else {
                acc[c][r] = Ops::fma(a[t], part[c][r], acc[c][r]);
              }
            }
        }
      }

      if constexpr (HasOffset) {
        // Sum of x over the segment, from each sub-vector table's all-plus entry.
        float xsum[BC];
#pragma unroll
        for (int c = 0; c < BC; ++c) {
          xsum[c] = 0.0f;
          for (int ww = w; ww < seg_end; ++ww)
#pragma unroll
            for (int t = 0; t < kSubPerWord; ++t) {
              if constexpr (ShflTables) {
                // The all-plus entry (15) of sub-vector t: lane 15 or 31 holds it.
                xsum[c] +=
                    Ops::to_float(__shfl_sync(0xffffffffu, treg[c][t >> 1], 15 + ((t & 1) << 4)));
                continue;
              }
              const Entry all_plus =
                  tables[(c / kSetCols) * kTableSize +
                         ((ww * kSubPerWord + t) * kEntries + kEntries - 1) * Copies + copy];
              if constexpr (PairTables) {
                const __half2 pair = EntryOps::get(all_plus, (c % kSetCols) / 2);
                xsum[c] += c % 2 == 0 ? __low2float(pair) : __high2float(pair);
              } else
                xsum[c] += Ops::to_float(all_plus);
            }
        }
        const __half* __restrict__ zp = offset + (long long)grp * m_stride;
#pragma unroll
        for (int j = 0; j < kChunks; ++j) {
          float z[kLw];
          if (live[j]) {
            load_halves<kLw>(zp + base[j], z);
          } else {
#pragma unroll
            for (int t = 0; t < kLw; ++t)
              z[t] = 0.0f;
          }
#pragma unroll
          for (int t = 0; t < kLw; ++t)
#pragma unroll
            for (int c = 0; c < kAccCols; ++c) {
              if constexpr (kAccPairs)
                acc[c][j * kLw + t] =
                    __hfma2(__float2half2_rn(z[t]), __floats2half2_rn(xsum[2 * c], xsum[2 * c + 1]),
                            acc[c][j * kLw + t]);
              else
                acc[c][j * kLw + t] = Ops::fma(z[t], Ops::from_float(xsum[c]), acc[c][j * kLw + t]);
            }
        }
      }
      w = seg_end;
    }
  }

#pragma unroll
  for (int c = 0; c < BC; ++c) {
    const int col = col0 + c;
    if (col >= batch)
      continue;
#pragma unroll
    for (int j = 0; j < kChunks; ++j)
#pragma unroll
      for (int t = 0; t < kLw; ++t) {
        const long long row = base[j] + t;
        if (row >= m)
          continue;
        float v;
        if constexpr (kAccPairs)
          v = c % 2 == 0 ? __low2float(acc[c / 2][j * kLw + t])
                         : __high2float(acc[c / 2][j * kLw + t]);
        else
          v = Ops::to_float(acc[c][j * kLw + t]);
        if constexpr (Combine == kCombineNone) {
          y[(long long)col * m + row] = __float2half(v);
        } else if constexpr (Combine == kCombineAtomic) {
          atomicAdd(workspace + (long long)col * m + row, v);
        } else {
          workspace[((long long)blockIdx.y * batch + col) * m + row] = v;
        }
      }
  }
}

} // namespace lutgemm
