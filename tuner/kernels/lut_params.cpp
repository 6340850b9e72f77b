#include "kernels/lut_params.hpp"

#include "common/error.hpp"
#include "quant/packed_bcq.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>

namespace lutgemm {
namespace {

std::int64_t round_up(std::int64_t v, std::int64_t to) {
  return (v + to - 1) / to * to;
}

int next_pow2(int v) {
  int p = 1;
  while (p < v)
    p *= 2;
  return p;
}

// Each knob's "field of a label": prefix + value ("mu8", "r4", ...).
struct LabelField {
  const char* knob;
  const char* prefix;
};
constexpr LabelField kLabelFields[] = {
    {"mu", "mu"},     {"rows_per_thread", "r"}, {"threads", "t"},
    {"k_tile", "kt"}, {"load_bits", "ld"},      {"accum", ""},
    {"table", ""},    {"batch_cols", "b"},      {"split", "split"}};

} // namespace

namespace {

// The declared values of every integer knob, parsed once (check() runs for each of the ~1.7M
// points of the full space).
bool integer_knobs_declared(const LutParams& p) {
  using Lists = std::vector<std::pair<std::string, std::vector<int>>>;
  static const Lists lists = [] {
    Lists out;
    for (const auto& knob : lut_knobs()) {
      std::vector<int> ints;
      for (const auto& text : knob.values) {
        int v = 0;
        auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
        if (ec != std::errc() || end != text.data() + text.size())
          break; // not an integer knob
        ints.push_back(v);
      }
      if (ints.size() == knob.values.size())
        out.emplace_back(knob.name, std::move(ints));
    }
    return out;
  }();
  auto declared = [&](const char* name, int value) {
    for (const auto& [knob, ints] : lists)
      if (knob == name)
        return std::find(ints.begin(), ints.end(), value) != ints.end();
    return false;
  };
  return declared("mu", p.mu) && declared("rows_per_thread", p.rows_per_thread) &&
         declared("threads", p.threads) && declared("k_tile", p.k_tile) &&
         declared("load_bits", p.load_bits) && declared("batch_cols", p.batch_cols) &&
         declared("split", p.split) && declared("copies", p.copies);
}

} // namespace

std::string to_string(Accum accum) {
  switch (accum) {
  case Accum::f32:
    return "f32";
  case Accum::f16:
    return "f16";
  case Accum::h2:
    return "h2";
  case Accum::h4:
    return "h4";
  case Accum::h8:
    return "h8";
  case Accum::h4h:
    return "h4h";
  case Accum::h8h:
    return "h8h";
  }
  return "?";
}

int entry_columns(Accum accum) {
  switch (accum) {
  case Accum::h2:
    return 2;
  case Accum::h4:
  case Accum::h4h:
    return 4;
  case Accum::h8:
  case Accum::h8h:
    return 8;
  default:
    return 1;
  }
}

bool half2_accumulators(Accum accum) {
  return accum == Accum::h4h || accum == Accum::h8h;
}

int max_accumulators(Accum accum) {
  return half2_accumulators(accum) ? 64 : 32;
}

bool rounds_sums_to_fp16(Accum accum) {
  return accum != Accum::f32;
}

std::string to_string(TableStore store) {
  return store == TableStore::smem ? "smem" : "shfl";
}

TableStore store_from_string(const std::string& text) {
  if (text == "smem")
    return TableStore::smem;
  if (text == "shfl")
    return TableStore::shfl;
  throw UsageError(fmt::format("table store '{}' is not one of smem, shfl", text));
}

Accum accum_from_string(const std::string& text) {
  if (text == "f32")
    return Accum::f32;
  if (text == "f16")
    return Accum::f16;
  if (text == "h2")
    return Accum::h2;
  if (text == "h4")
    return Accum::h4;
  if (text == "h8")
    return Accum::h8;
  if (text == "h4h")
    return Accum::h4h;
  if (text == "h8h")
    return Accum::h8h;
  throw UsageError(
      fmt::format("accumulation '{}' is not one of f32, f16, h2, h4, h8, h4h, h8h", text));
}

std::string to_string(TableKind table) {
  return table == TableKind::full ? "full" : "half";
}

TableKind table_from_string(const std::string& text) {
  if (text == "full")
    return TableKind::full;
  if (text == "half")
    return TableKind::half;
  throw UsageError(fmt::format("table '{}' is not one of full, half", text));
}

std::string to_string(TableBuild build) {
  return build == TableBuild::direct ? "direct" : "split";
}

TableBuild build_from_string(const std::string& text) {
  if (text == "direct")
    return TableBuild::direct;
  if (text == "split")
    return TableBuild::split;
  throw UsageError(fmt::format("table build '{}' is not one of direct, split", text));
}

const std::vector<Knob>& lut_knobs() {
  static const std::vector<Knob> knobs = {
      {"mu", {"4", "8"}},
      {"rows_per_thread", {"1", "2", "4", "8"}},
      {"threads", {"64", "128", "256", "512"}},
      {"k_tile", {"32", "64", "128", "256"}},
      {"load_bits", {"32", "64", "128"}},
      {"accum", {"f32", "f16", "h2", "h4", "h8", "h4h", "h8h"}},
      {"table", {"full", "half"}},
      {"batch_cols", {"1", "2", "4", "8"}},
      // Besides powers of two: splits that make (row blocks x split) whole waves of a GPU's SMs
      // where the rows give few blocks (12 blocks of 4096 rows at M = 49152): 12 x 9 = 108
      // (A100), 12 x 11 = 132 (H100, H200; 93% of L40's 142), 12 x 6 = 72 (A10), 12 x 12 = 144
      // (97% of B200's 148); 3 for 36 or 24 row blocks (108 = 36 x 3, 72 = 24 x 3). Each value
      // costs the space as many variants as a power of two does; 5, 7 and 10 (L4's 58, A6000's
      // 84, RTX 4090's 128 SMs) were left out.
      {"split", {"1", "2", "3", "4", "6", "8", "9", "11", "12", "16"}},
      {"combine", {"none", "atomic", "reduce"}},
      {"copies", {"1", "2", "4", "8", "16", "32"}},
      {"build", {"direct", "split"}},
      {"store", {"smem", "shfl"}},
  };
  return knobs;
}

KnobValues to_values(const LutParams& p) {
  return {{"mu", std::to_string(p.mu)},
          {"rows_per_thread", std::to_string(p.rows_per_thread)},
          {"threads", std::to_string(p.threads)},
          {"k_tile", std::to_string(p.k_tile)},
          {"load_bits", std::to_string(p.load_bits)},
          {"accum", to_string(p.accum)},
          {"table", to_string(p.table)},
          {"batch_cols", std::to_string(p.batch_cols)},
          {"split", std::to_string(p.split)},
          {"combine", to_string(p.combine)},
          {"copies", std::to_string(p.copies)},
          {"build", to_string(p.build)},
          {"store", to_string(p.store)}};
}

LutParams lut_params_from_values(const KnobValues& values) {
  const auto& knobs = lut_knobs();
  for (const auto& [name, value] : values) {
    if (std::none_of(knobs.begin(), knobs.end(), [&](const Knob& k) { return k.name == name; }))
      throw UsageError(fmt::format("'{}' is not a LUT-GEMM knob", name));
  }
  LutParams p;
  p.mu = knob_int(values, "mu", knobs);
  p.rows_per_thread = knob_int(values, "rows_per_thread", knobs);
  p.threads = knob_int(values, "threads", knobs);
  p.k_tile = knob_int(values, "k_tile", knobs);
  p.load_bits = knob_int(values, "load_bits", knobs);
  p.accum = accum_from_string(knob_text(values, "accum"));
  p.table = table_from_string(knob_text(values, "table"));
  p.batch_cols = knob_int(values, "batch_cols", knobs);
  p.split = knob_int(values, "split", knobs);
  p.combine = combine_from_string(knob_text(values, "combine"));
  // Knobs added with kernel v2: absent in variants stored before them, which used the defaults.
  if (values.count("copies") != 0)
    p.copies = knob_int(values, "copies", knobs);
  if (values.count("build") != 0)
    p.build = build_from_string(knob_text(values, "build"));
  if (values.count("store") != 0)
    p.store = store_from_string(knob_text(values, "store"));
  return p;
}

std::string lut_label(const Problem& problem, const LutParams& p) {
  std::string label = fmt::format("lut_q{}_g{}{}", problem.bits, group_text(problem.group),
                                  problem.has_offset ? "" : "_noz");
  const KnobValues values = to_values(p);
  for (const auto& field : kLabelFields)
    label += fmt::format("_{}{}", field.prefix, values.at(field.knob));
  if (p.split > 1 || p.combine != Combine::none)
    label += "_" + to_string(p.combine);
  if (p.copies != 1)
    label += fmt::format("_c{}", p.copies);
  if (p.build != TableBuild::direct)
    label += "_b" + to_string(p.build);
  if (p.store != TableStore::smem)
    label += "_" + to_string(p.store);
  return label;
}

LutParams lut_params_from_label(std::string_view label) {
  // Split on '_' and read the fields in order, skipping the problem part (lut, qN, gN, noz).
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (start <= label.size()) {
    std::size_t end = label.find('_', start);
    if (end == std::string_view::npos)
      end = label.size();
    parts.emplace_back(label.substr(start, end - start));
    start = end + 1;
  }
  auto is_problem_part = [](const std::string& s) {
    return s == "lut" || s == "noz" ||
           (s.size() > 1 && (s[0] == 'q' || s[0] == 'g') &&
            (std::isdigit(static_cast<unsigned char>(s[1])) || s == "grow"));
  };
  std::size_t i = 0;
  while (i < parts.size() && is_problem_part(parts[i]))
    ++i;
  KnobValues values;
  for (const auto& field : kLabelFields) {
    if (i >= parts.size())
      throw UsageError(fmt::format("label '{}' ends before the {} field", label, field.knob));
    const std::string& part = parts[i++];
    const std::string_view prefix(field.prefix);
    if (!part.starts_with(prefix))
      throw UsageError(
          fmt::format("label '{}': field '{}' should start with '{}'", label, part, prefix));
    values[field.knob] = part.substr(prefix.size());
  }
  values["combine"] = "none";
  if (i < parts.size() && (parts[i] == "none" || parts[i] == "atomic" || parts[i] == "reduce"))
    values["combine"] = parts[i++];
  values["copies"] = "1";
  if (i < parts.size() && parts[i].size() > 1 && parts[i][0] == 'c' &&
      std::isdigit(static_cast<unsigned char>(parts[i][1])))
    values["copies"] = parts[i++].substr(1);
  values["build"] = "direct";
  if (i < parts.size() && parts[i].size() > 1 && parts[i][0] == 'b' &&
      !std::isdigit(static_cast<unsigned char>(parts[i][1])))
    values["build"] = parts[i++].substr(1);
  values["store"] = "smem";
  if (i < parts.size() && parts[i] == "shfl")
    values["store"] = parts[i++];
  if (i != parts.size())
    throw UsageError(fmt::format("label '{}' has unexpected trailing fields", label));
  return lut_params_from_values(values);
}

std::int64_t lut_smem_bytes(const LutParams& p) {
  const std::int64_t entries = p.table == TableKind::half ? (1 << (p.mu - 1)) : (1 << p.mu);
  const std::int64_t elem = p.accum == Accum::f32 ? 4 : 2;
  const std::int64_t sub_vectors = p.k_tile / p.mu;
  const std::int64_t tables = p.store == TableStore::shfl
                                  ? 0 // in registers
                                  : p.batch_cols * sub_vectors * entries * p.copies * elem;
  // Partial sums of the split build: fp32, or fp16 table entries with pair tables.
  const std::int64_t partial_bytes = entry_columns(p.accum) > 1 ? 2 : 4;
  const std::int64_t partials = p.build == TableBuild::split ? p.batch_cols * sub_vectors * 2 *
                                                                   (1 << (p.mu / 2)) * partial_bytes
                                                             : 0;
  return round_up(tables, 4) + std::int64_t(p.batch_cols) * p.k_tile * 4 + partials;
}

std::optional<std::string> check(const Problem& problem, const LutParams& p) {
  try {
    validate(problem);
  } catch (const UsageError& e) {
    return std::string(e.what());
  }
  // Values outside the declared lists (a hand-written parameter set). The string round trip
  // names the bad value, but it is slow: it runs only when the integer look-up finds one.
  if (!integer_knobs_declared(p)) {
    try {
      (void)lut_params_from_values(to_values(p));
    } catch (const UsageError& e) {
      return std::string(e.what());
    }
  }
  const int words_per_load = p.load_bits / 32;
  if (p.rows_per_thread % words_per_load != 0)
    return fmt::format("rows_per_thread {} is not a multiple of the {} rows of a {}-bit load",
                       p.rows_per_thread, words_per_load, p.load_bits);
  if (p.split == 1 && p.combine != Combine::none)
    return fmt::format("split 1 needs no combine (got {}): the variant equals combine none",
                       to_string(p.combine));
  if (p.split > 1 && p.combine == Combine::none)
    return fmt::format("split {} needs a combine mode (atomic or reduce)", p.split);
  if (p.batch_cols > 1 && p.batch_cols >= 2 * problem.batch)
    return fmt::format("batch_cols {} leaves more than half of each block's columns empty for "
                       "batch {}",
                       p.batch_cols, problem.batch);
  if (const int cols = entry_columns(p.accum); p.batch_cols % cols != 0)
    return fmt::format("accum {} packs {} activation columns per entry: batch_cols {} is not a "
                       "multiple",
                       to_string(p.accum), cols, p.batch_cols);
  if (const int most = max_accumulators(p.accum); p.batch_cols * p.rows_per_thread > most)
    return fmt::format("batch_cols {} x rows_per_thread {} > {} accumulators per thread (they "
                       "would spill)",
                       p.batch_cols, p.rows_per_thread, most);
  if (p.store == TableStore::shfl &&
      (p.mu != 4 || p.table != TableKind::full || p.k_tile != 32 || p.copies != 1 ||
       p.build != TableBuild::direct || entry_columns(p.accum) != 1))
    return "store shfl (register tables) needs mu 4, full tables, k_tile 32, 1 copy, the direct "
           "build and accum f32 or f16";
  const std::int64_t smem = lut_smem_bytes(p);
  if (smem > kLutMaxSmemBytes)
    return fmt::format("{} bytes of shared memory exceed the {} bytes any GPU allows with opt-in",
                       smem, kLutMaxSmemBytes);
  return std::nullopt;
}

KernelSpec lut_kernel_spec(const Problem& problem, const LutParams& p) {
  const int g = problem.group == kRowWise ? 0 : problem.group;
  const int combine = combine_mode(p.combine);
  KernelSpec spec;
  spec.source = "kernels/lutgemm.cuh";
  spec.name_expression = fmt::format(
      "lutgemm::lutgemm_kernel<{}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}", problem.bits, g,
      problem.has_offset ? "true" : "false", p.mu, p.rows_per_thread, p.threads, p.k_tile,
      p.load_bits, p.accum == Accum::f16 || half2_accumulators(p.accum) ? "false" : "true",
      p.table == TableKind::half ? "true" : "false", p.batch_cols, combine);
  // The kernel v2 arguments have defaults: a variant without them keeps its name (and caches).
  const int cols = entry_columns(p.accum);
  if (p.copies != 1 || p.build != TableBuild::direct || cols > 1 || p.store != TableStore::smem)
    spec.name_expression +=
        fmt::format(", {}, {}, {}", p.copies, p.build == TableBuild::split ? "true" : "false",
                    cols > 1 ? "true" : "false");
  const bool shfl = p.store == TableStore::shfl;
  if (cols > 2 || shfl)
    spec.name_expression += fmt::format(", {}", std::max(cols / 2, 1)); // Pack: __half2 per entry
  if (shfl)
    spec.name_expression += ", true"; // ShflTables
  spec.name_expression += ">";
  return spec;
}

LaunchPlan make_launch_plan(const Problem& problem, const LutParams& p) {
  if (auto reason = check(problem, p))
    throw UsageError(
        fmt::format("{} cannot run {}: {}", lut_label(problem, p), to_string(problem), *reason));
  const std::int64_t m_stride = round_up(problem.m, kRowPadding);
  const std::int64_t rows_per_block = std::int64_t(p.threads) * p.rows_per_thread;
  const int splits = effective_splits(problem.k, p.k_tile, p.split);
  const long long outputs = static_cast<long long>(problem.batch) * problem.m;

  KernelLaunch main;
  main.spec = lut_kernel_spec(problem, p);
  main.config.grid = {
      static_cast<std::uint32_t>((m_stride + rows_per_block - 1) / rows_per_block),
      static_cast<std::uint32_t>(splits),
      static_cast<std::uint32_t>((problem.batch + p.batch_cols - 1) / p.batch_cols)};
  main.config.block = {static_cast<std::uint32_t>(p.threads), 1, 1};
  main.config.dynamic_smem_bytes = static_cast<std::uint32_t>(lut_smem_bytes(p));
  // Unused pointer parameters are bound to a buffer that always exists (the kernel never reads
  // `offset` without offsets, nor `workspace` with combine none), so no backend needs null.
  main.args = {KernelArg::buf("bit_words"),
               KernelArg::buf("alpha"),
               KernelArg::buf(problem.has_offset ? "offset" : "alpha"),
               KernelArg::buf("x"),
               KernelArg::buf("y"),
               workspace_arg(p.combine),
               KernelArg::i32(static_cast<std::int32_t>(problem.m)),
               KernelArg::i32(static_cast<std::int32_t>(problem.k)),
               KernelArg::i32(problem.batch)};

  return split_k_plan(main, p.combine, outputs, splits);
}

LutParams default_lut_params(int bits, int batch) {
  (void)bits; // the same shape serves every q: the plane loop is not unrolled
  LutParams p;
  p.load_bits = 128;
  p.accum = Accum::f32;
  p.table = TableKind::half;
  p.threads = 256;
  p.k_tile = 128;
  p.combine = Combine::reduce;
  if (batch <= 1) {
    p.mu = 8;
    p.rows_per_thread = 8;
    p.batch_cols = 1;
    p.split = 16;
  } else if (batch <= 4) {
    // mu 8 with 4 table sets made ptxas spill on sm_90 (its register target, 48 registers);
    // mu 4 tables are 16x cheaper to build, 8x smaller in shared memory, and do not spill.
    p.mu = batch <= 2 ? 8 : 4;
    p.rows_per_thread = 4;
    p.batch_cols = next_pow2(batch);
    p.split = 16;
  } else {
    p.mu = 4;
    p.rows_per_thread = 4;
    p.batch_cols = 8;
    p.split = 8;
  }
  return p;
}

} // namespace lutgemm
