#include "space/kernel_variant.hpp"

#include "common/error.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace lutgemm::space {
namespace {

KnobValues knob_values(const Variant& point) {
  KnobValues values;
  for (std::size_t i = 0; i < point.size(); ++i)
    values[point.name(i)] = to_string(point.value(i));
  return values;
}

// Knob values (text) as a point of the family's space: in the knobs' order, integers as integers,
// as from_knobs() declares the space (space/families.cpp).
Variant point_of(const KnobValues& values, const std::vector<Knob>& knobs) {
  std::vector<std::pair<std::string, Value>> point;
  for (const auto& knob : knobs) {
    point.emplace_back(knob.name, knob_value(knob_text(values, knob.name)));
  }
  return Variant(std::move(point));
}

} // namespace

Value knob_value(const std::string& text) {
  const bool digits = !text.empty() && std::all_of(text.begin(), text.end(),
                                                   [](unsigned char c) { return std::isdigit(c); });
  return digits ? Value(std::int64_t{std::stoll(text)}) : Value(text);
}

const LutParams& KernelVariant::lut() const {
  if (const auto* p = std::get_if<LutParams>(&params))
    return *p;
  throw RuntimeError(fmt::format("variant '{}' is not a LUT-GEMM variant", label));
}

const OptqParams& KernelVariant::optq() const {
  if (const auto* p = std::get_if<OptqParams>(&params))
    return *p;
  throw RuntimeError(fmt::format("variant '{}' is not an OPTQ variant", label));
}

LutParams lut_params(const Variant& point) {
  return lut_params_from_values(knob_values(point));
}

OptqParams optq_params(const Variant& point) {
  return optq_params_from_values(knob_values(point));
}

KernelVariant make_kernel_variant(const std::string& family, const Variant& point,
                                  const Problem& problem) {
  KernelVariant v;
  v.point = point;
  if (family == "lutgemm") {
    const auto params = lut_params(point);
    v.label = lut_label(problem, params);
    v.params = params;
  } else if (family == "optq") {
    const auto params = optq_params(point);
    v.label = optq_label(problem, params);
    v.params = params;
  } else {
    v.label = point.label();
  }
  return v;
}

KernelVariant make_kernel_variant(const SearchSpace& space, const Variant& point,
                                  const Problem& problem) {
  auto v = make_kernel_variant(space.family, point, problem);
  if (std::holds_alternative<std::monostate>(v.params))
    v.label = space.label(point, problem); // a toy space's own labeler, if it has one
  return v;
}

Variant to_point(const LutParams& params) {
  return point_of(to_values(params), lut_knobs());
}

Variant to_point(const OptqParams& params) {
  return point_of(to_values(params), optq_knobs());
}

KernelVariant make_kernel_variant(const Problem& problem, const LutParams& params) {
  return {to_point(params), lut_label(problem, params), params};
}

KernelVariant make_kernel_variant(const Problem& problem, const OptqParams& params) {
  return {to_point(params), optq_label(problem, params), params};
}

std::vector<KernelVariant> accepted_variants(const SearchSpace& space, const Problem& problem) {
  std::vector<KernelVariant> variants;
  for (const auto& point : enumerate(space, problem).accepted)
    variants.push_back(make_kernel_variant(space, point, problem));
  return variants;
}

LaunchPlan variant_plan(const Problem& problem, const KernelVariant& variant) {
  if (const auto* optq = std::get_if<OptqParams>(&variant.params))
    return make_launch_plan(problem, *optq);
  return make_launch_plan(problem, variant.lut());
}

} // namespace lutgemm::space
