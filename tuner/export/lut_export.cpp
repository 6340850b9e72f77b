#include "export/lut_export.hpp"

#include "common/error.hpp"

#include <fmt/format.h>

namespace lutgemm::header_export {
namespace {

std::string args_text(const std::vector<KernelArg>& args) {
  std::string out;
  for (const auto& a : args) {
    out += out.empty() ? "" : ", ";
    switch (a.kind) {
    case KernelArg::Kind::buffer:
      out += a.buffer;
      break;
    case KernelArg::Kind::i32:
    case KernelArg::Kind::i64:
      out += std::to_string(a.int_value);
      break;
    case KernelArg::Kind::f32:
      out += fmt::format("{}f", a.float_value);
      break;
    }
  }
  return out;
}

} // namespace

std::string quoted_literal(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\')
      out += '\\';
    if (static_cast<unsigned char>(c) < 0x20)
      continue; // labels are single-line; drop control characters
    out += c;
  }
  return out + "\"";
}

std::optional<ExportLut> lut_export_of(const Problem& problem, const std::string& label) {
  try {
    ExportLut lut;
    lut.params = lut_params_from_label(label);
    lut.bits = problem.bits;
    lut.group = problem.group == kRowWise ? 0 : problem.group;
    lut.has_offset = problem.has_offset;
    const LaunchPlan plan = make_launch_plan(problem, lut.params);
    if (plan.launches.size() > static_cast<std::size_t>(kMaxExportLaunches))
      return std::nullopt;
    lut.instance = lut_kernel_spec(problem, lut.params).name_expression;
    lut.workspace_bytes = plan.workspace_bytes;
    for (const auto& launch : plan.launches) {
      ExportLaunch e;
      e.kernel = launch.spec.name_expression;
      e.grid = {launch.config.grid.x, launch.config.grid.y, launch.config.grid.z};
      e.block = {launch.config.block.x, launch.config.block.y, launch.config.block.z};
      e.dynamic_smem_bytes = launch.config.dynamic_smem_bytes;
      e.args = args_text(launch.args);
      lut.launches.push_back(std::move(e));
    }
    return lut;
  } catch (const UsageError&) {
    return std::nullopt; // a label of another lutgemm version: the generic fields still export
  }
}

std::string lut_header_types() {
  return fmt::format(R"(// LUT-GEMM template arguments (kernels/lutgemm.cuh), typed.
// fp32 tables, fp16 tables, fp16 tables of 2, 4 or 8 columns per entry (1, 2 or 4 __half2);
// h4h / h8h: packed tables with __half2 (fp16) accumulators
enum class Accum {{ f32, f16, h2, h4, h8, h4h, h8h }};
enum class Table {{ full, half }};           // 2^mu entries, or 2^(mu-1) with the sign trick
enum class Combine {{ none, atomic, reduce }}; // how split-K partial sums are combined
enum class TableBuild {{ direct, split }};   // table build: mu adds per entry, or two half-keys
enum class TableStore {{ smem, shfl }};      // tables in shared memory, or mu-4 tables in registers

// One kernel launch of the plan, at the entry's own shape (recompute grid.x and grid.z for
// another M or batch: ceil(M / (threads * rows_per_thread)) and ceil(batch / batch_cols)).
struct Launch {{
  const char* kernel;         // template instantiation to compile (NVRTC name expression)
  std::uint32_t grid[3];
  std::uint32_t block[3];
  std::uint32_t dynamic_smem; // bytes
  const char* args;           // arguments in order: buffer names and integer values
}};

struct LutKernel {{
  bool valid; // false: not a LUT-GEMM entry, or a label this lutgemm could not read
  std::int32_t bits;
  std::int32_t group; // 0 = row-wise
  bool has_offset;
  std::int32_t mu;
  std::int32_t rows_per_thread;
  std::int32_t threads;
  std::int32_t k_tile;
  std::int32_t load_bits;
  Accum accum;
  Table table;
  std::int32_t batch_cols;
  std::int32_t split;
  Combine combine;
  std::int32_t copies;
  TableBuild build;
  TableStore store;
  const char* instance; // the main kernel's instantiation
  std::int64_t workspace_bytes; // fp32 scratch the plan needs (0 = none)
  std::int32_t launch_count;
  Launch launches[{}];
}};

)",
                     kMaxExportLaunches);
}

std::string lut_initializer(const std::optional<ExportLut>& lut) {
  constexpr const char* kEmptyLaunch = "{\"\", {0, 0, 0}, {0, 0, 0}, 0, \"\"}";
  if (!lut) {
    std::string launches;
    for (int i = 0; i < kMaxExportLaunches; ++i)
      launches += fmt::format("{}{}", i ? ", " : "", kEmptyLaunch);
    return fmt::format(
        "{{false, 0, 0, false, 0, 0, 0, 0, 0, Accum::f32, Table::full, 0, 0, "
        "Combine::none, 0, TableBuild::direct, TableStore::smem, \"\", 0, 0, {{{}}}}}",
        launches);
  }
  const LutParams& p = lut->params;
  std::string launches;
  for (int i = 0; i < kMaxExportLaunches; ++i) {
    launches += i ? ", " : "";
    if (i >= static_cast<int>(lut->launches.size())) {
      launches += kEmptyLaunch;
      continue;
    }
    const auto& l = lut->launches[i];
    launches += fmt::format("{{{}, {{{}, {}, {}}}, {{{}, {}, {}}}, {}, {}}}",
                            quoted_literal(l.kernel), l.grid[0], l.grid[1], l.grid[2], l.block[0],
                            l.block[1], l.block[2], l.dynamic_smem_bytes, quoted_literal(l.args));
  }
  return fmt::format("{{true, {}, {}, {}, {}, {}, {}, {}, {}, Accum::{}, Table::{}, {}, {}, "
                     "Combine::{}, {}, TableBuild::{}, TableStore::{}, {}, {}, {}, {{{}}}}}",
                     lut->bits, lut->group, lut->has_offset ? "true" : "false", p.mu,
                     p.rows_per_thread, p.threads, p.k_tile, p.load_bits, to_string(p.accum),
                     to_string(p.table), p.batch_cols, p.split, to_string(p.combine), p.copies,
                     to_string(p.build), to_string(p.store), quoted_literal(lut->instance),
                     lut->workspace_bytes, lut->launches.size(), launches);
}

} // namespace lutgemm::header_export
