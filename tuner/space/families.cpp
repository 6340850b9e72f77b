#include "space/families.hpp"

#include "common/error.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace lutgemm::space {
namespace {

SearchSpace from_knobs(const std::string& family, const std::vector<Knob>& knobs) {
  SearchSpace space;
  space.family = family;
  for (const auto& knob : knobs) {
    std::vector<Value> values;
    for (const auto& text : knob.values)
      values.push_back(knob_value(text));
    space.add_parameter(knob.name, std::move(values));
  }
  return space;
}

} // namespace

std::string to_string(Family family) {
  return family == Family::lutgemm ? "lutgemm" : "optq";
}

Family family_from_string(std::string_view text) {
  if (text == "lutgemm")
    return Family::lutgemm;
  if (text == "optq")
    return Family::optq;
  throw UsageError(fmt::format("unknown kernel family '{}' (allowed: lutgemm, optq)", text));
}

SearchSpace family_space(Family family) {
  if (family == Family::lutgemm) {
    auto space = from_knobs("lutgemm", lut_knobs());
    space.add_constraint(
        "kernel_check", [](const Variant& v, const Problem& p) { return check(p, lut_params(v)); });
    space.labeler = [](const Variant& v, const Problem& p) { return lut_label(p, lut_params(v)); };
    return space;
  }
  auto space = from_knobs("optq", optq_knobs());
  space.add_constraint("kernel_check",
                       [](const Variant& v, const Problem& p) { return check(p, optq_params(v)); });
  space.labeler = [](const Variant& v, const Problem& p) { return optq_label(p, optq_params(v)); };
  return space;
}

SearchSpace small_family_space(Family family, const Problem& problem) {
  auto space = family_space(family);
  const std::string cols = problem.batch <= 1 ? "1" : problem.batch <= 2 ? "2" : "4";
  if (family == Family::lutgemm) {
    apply_restrictions(space, {"mu=4,8", "rows_per_thread=4,8", "threads=128,256", "k_tile=128",
                               "load_bits=128", "accum=f32", "table=half", "batch_cols=" + cols,
                               "split=1,8", "combine=none,reduce", "copies=1", "build=direct"});
  } else {
    apply_restrictions(space, {"kind=gemv", "threads=128,256", "k_tile=128", "batch_cols=" + cols,
                               "split=1,8", "combine=none,reduce"});
  }
  return space;
}

void apply_restrictions(SearchSpace& space, const std::vector<std::string>& restrictions) {
  for (const auto& text : restrictions) {
    const auto eq = text.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == text.size())
      throw UsageError(fmt::format("--param '{}' is not name=value[,value...]", text));
    std::vector<std::string> values;
    std::size_t start = eq + 1;
    while (start <= text.size()) {
      auto comma = text.find(',', start);
      if (comma == std::string::npos)
        comma = text.size();
      values.push_back(text.substr(start, comma - start));
      start = comma + 1;
    }
    space.restrict(text.substr(0, eq), values);
  }
}

ResourceUsage plan_resources(const LaunchPlan& plan) {
  ResourceUsage usage;
  for (const auto& launch : plan.launches) {
    const int threads =
        static_cast<int>(launch.config.block.x * launch.config.block.y * launch.config.block.z);
    usage.threads_per_block = std::max(usage.threads_per_block, threads);
    usage.dynamic_smem =
        std::max<std::int64_t>(usage.dynamic_smem, launch.config.dynamic_smem_bytes);
  }
  return usage;
}

TargetLimits target_limits(const GpuSpec& t) {
  TargetLimits limits;
  limits.name = std::string(t.key);
  limits.max_threads_per_block = t.max_threads_per_block;
  limits.max_threads_per_sm = t.max_threads_per_sm;
  limits.max_blocks_per_sm = t.max_blocks_per_sm;
  limits.regs_per_sm = t.regs_per_sm;
  limits.max_regs_per_thread = t.max_regs_per_thread;
  limits.smem_per_sm = t.smem_per_sm;
  limits.smem_per_block_optin = t.smem_per_block_optin;
  limits.smem_per_block_static = t.smem_per_block_static;
  limits.warp_size = t.warp_size;
  return limits;
}

} // namespace lutgemm::space
