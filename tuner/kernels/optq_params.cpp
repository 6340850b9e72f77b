#include "kernels/optq_params.hpp"

#include "common/error.hpp"
#include "kernels/split_k_plan.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace lutgemm {
std::string to_string(OptqKind kind) {
  return kind == OptqKind::dequant ? "dequant" : "gemv";
}

OptqKind optq_kind_from_string(const std::string& text) {
  if (text == "dequant")
    return OptqKind::dequant;
  if (text == "gemv")
    return OptqKind::gemv;
  throw UsageError(fmt::format("OPTQ kernel '{}' is not one of dequant, gemv", text));
}

const std::vector<Knob>& optq_knobs() {
  static const std::vector<Knob> knobs = {
      {"kind", {"dequant", "gemv"}},          {"threads", {"64", "128", "256", "512"}},
      {"k_tile", {"32", "64", "128", "256"}}, {"batch_cols", {"1", "2", "4", "8"}},
      {"split", {"1", "2", "4", "8", "16"}},  {"combine", {"none", "atomic", "reduce"}},
  };
  return knobs;
}

KnobValues to_values(const OptqParams& p) {
  return {{"kind", to_string(p.kind)},          {"threads", std::to_string(p.threads)},
          {"k_tile", std::to_string(p.k_tile)}, {"batch_cols", std::to_string(p.batch_cols)},
          {"split", std::to_string(p.split)},   {"combine", to_string(p.combine)}};
}

OptqParams optq_params_from_values(const KnobValues& values) {
  const auto& knobs = optq_knobs();
  for (const auto& [name, value] : values) {
    if (std::none_of(knobs.begin(), knobs.end(), [&](const Knob& k) { return k.name == name; }))
      throw UsageError(fmt::format("'{}' is not an OPTQ kernel knob", name));
  }
  OptqParams p;
  p.kind = optq_kind_from_string(knob_text(values, "kind"));
  p.threads = knob_int(values, "threads", knobs);
  p.k_tile = knob_int(values, "k_tile", knobs);
  p.batch_cols = knob_int(values, "batch_cols", knobs);
  p.split = knob_int(values, "split", knobs);
  p.combine = combine_from_string(knob_text(values, "combine"));
  return p;
}

std::string optq_label(const Problem& problem, const OptqParams& p) {
  if (p.kind == OptqKind::dequant)
    return fmt::format("optq_dequant_q{}_g{}_t{}", problem.bits, group_text(problem.group),
                       p.threads);
  std::string label =
      fmt::format("optq_gemv_q{}_g{}_t{}_kt{}_b{}_split{}", problem.bits, group_text(problem.group),
                  p.threads, p.k_tile, p.batch_cols, p.split);
  if (p.split > 1 || p.combine != Combine::none)
    label += "_" + to_string(p.combine);
  return label;
}

std::int64_t optq_smem_bytes(const OptqParams& p) {
  if (p.kind == OptqKind::dequant)
    return 0;
  return std::int64_t(p.batch_cols) * p.k_tile * 4 +
         std::int64_t(p.batch_cols) * (p.k_tile / 32) * 4;
}

std::optional<std::string> check(const Problem& problem, const OptqParams& p) {
  try {
    validate(problem);
    (void)optq_params_from_values(to_values(p));
  } catch (const UsageError& e) {
    return std::string(e.what());
  }
  if (problem.bits < 2)
    return std::string("OPTQ-style kernels need at least 2 bits (uniform 1-bit has no zero point)");
  if (p.kind == OptqKind::dequant) {
    if (problem.k / 32 > 65535)
      return fmt::format("K = {} needs more than 65535 blocks along y", problem.k);
    return std::nullopt;
  }
  if (p.split == 1 && p.combine != Combine::none)
    return fmt::format("split 1 needs no combine (got {})", to_string(p.combine));
  if (p.split > 1 && p.combine == Combine::none)
    return fmt::format("split {} needs a combine mode (atomic or reduce)", p.split);
  if (p.batch_cols > 1 && p.batch_cols >= 2 * problem.batch)
    return fmt::format("batch_cols {} leaves more than half of each block's columns empty for "
                       "batch {}",
                       p.batch_cols, problem.batch);
  return std::nullopt;
}

KernelSpec optq_kernel_spec(const Problem& problem, const OptqParams& p) {
  const int g = problem.group == kRowWise ? 0 : problem.group;
  KernelSpec spec;
  spec.source = "kernels/optq.cuh";
  if (p.kind == OptqKind::dequant) {
    spec.name_expression =
        fmt::format("lutgemm::optq_dequant_kernel<{}, {}, {}>", problem.bits, g, p.threads);
  } else {
    const int combine = combine_mode(p.combine);
    spec.name_expression = fmt::format("lutgemm::optq_gemv_kernel<{}, {}, {}, {}, {}, {}>",
                                       problem.bits, g, p.threads, p.k_tile, p.batch_cols, combine);
  }
  return spec;
}

LaunchPlan make_launch_plan(const Problem& problem, const OptqParams& p) {
  if (auto reason = check(problem, p))
    throw UsageError(
        fmt::format("{} cannot run {}: {}", optq_label(problem, p), to_string(problem), *reason));
  const auto m = static_cast<std::int32_t>(problem.m);
  const auto k = static_cast<std::int32_t>(problem.k);
  const auto row_blocks = static_cast<std::uint32_t>((problem.m + p.threads - 1) / p.threads);
  LaunchPlan plan;
  if (p.kind == OptqKind::dequant) {
    KernelLaunch launch;
    launch.spec = optq_kernel_spec(problem, p);
    launch.config.grid = {row_blocks, static_cast<std::uint32_t>(problem.k / 32), 1};
    launch.config.block = {static_cast<std::uint32_t>(p.threads), 1, 1};
    launch.args = {KernelArg::buf("qweight"), KernelArg::buf("scales"), KernelArg::buf("zeros"),
                   KernelArg::buf("w_fp16"),  KernelArg::i32(m),        KernelArg::i32(k)};
    plan.launches.push_back(launch);
    return plan;
  }
  const int splits = effective_splits(problem.k, p.k_tile, p.split);
  const long long outputs = static_cast<long long>(problem.batch) * problem.m;
  KernelLaunch main;
  main.spec = optq_kernel_spec(problem, p);
  main.config.grid = {
      row_blocks, static_cast<std::uint32_t>(splits),
      static_cast<std::uint32_t>((problem.batch + p.batch_cols - 1) / p.batch_cols)};
  main.config.block = {static_cast<std::uint32_t>(p.threads), 1, 1};
  main.config.dynamic_smem_bytes = static_cast<std::uint32_t>(optq_smem_bytes(p));
  // `workspace` is never read with combine none: bind a buffer that always exists.
  main.args = {KernelArg::buf("qweight"), KernelArg::buf("scales"), KernelArg::buf("zeros"),
               KernelArg::buf("x"),       KernelArg::buf("y"),      workspace_arg(p.combine),
               KernelArg::i32(m),         KernelArg::i32(k),        KernelArg::i32(problem.batch)};
  return split_k_plan(main, p.combine, outputs, splits);
}

OptqParams default_optq_params(OptqKind kind, int bits, int batch) {
  (void)bits;
  OptqParams p;
  p.kind = kind;
  p.threads = 256;
  if (kind == OptqKind::dequant)
    return p;
  p.k_tile = 128;
  p.batch_cols = batch <= 1 ? 1 : batch <= 2 ? 2 : batch <= 4 ? 4 : 8;
  p.split = 8;
  p.combine = Combine::reduce;
  return p;
}

} // namespace lutgemm
