// The typed form of a variant (tuner/space/kernel_variant.hpp): every value of every knob of both
// families survives point -> KernelVariant -> point, the worker's text form and the database's
// params JSON; the label is the family's; a toy space keeps only its point; a bad value is a
// UsageError at the one parse.
#include "common/error.hpp"
#include "space/families.hpp"
#include "space/kernel_variant.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

using namespace lutgemm;

namespace {

const Problem kProblem{.m = 4096, .k = 4096, .batch = 4, .bits = 3, .group = 128};

// The defaults with one knob set to `value`: one parameter set per value of each knob.
template <typename Params, typename FromValues>
Params with_value(const Params& defaults, const std::string& knob, const std::string& value,
                  FromValues from_values) {
  auto values = to_values(defaults);
  values[knob] = value;
  return from_values(values);
}

// What the database stores as the variant's params, read back as knob text.
KnobValues values_of_params_json(const std::string& params_json) {
  KnobValues values;
  const auto json = nlohmann::json::parse(params_json);
  for (const auto& [name, value] : json.items())
    values[name] = value.is_string() ? value.get<std::string>() : value.dump();
  return values;
}

// Round trips of one parameter set of `family` through each form a variant travels in.
template <typename Params>
void expect_round_trips(space::Family family, const Params& params,
                        const std::vector<Knob>& knobs) {
  const auto space = space::family_space(family);
  const auto typed = space::make_kernel_variant(kProblem, params);
  const auto label = typed.label;
  ASSERT_TRUE(std::holds_alternative<Params>(typed.params)) << label;
  EXPECT_EQ(std::get<Params>(typed.params), params) << label;
  // The point is one of the space's: its parameters in declaration order, each value allowed.
  const auto pairs = typed.point.values();
  ASSERT_EQ(pairs.size(), space.parameters.size()) << label;
  for (std::size_t i = 0; i < space.parameters.size(); ++i) {
    const auto& [name, value] = pairs[i];
    EXPECT_EQ(name, space.parameters[i].name) << label;
    const auto& allowed = space.parameters[i].values;
    EXPECT_NE(std::find(allowed.begin(), allowed.end(), value), allowed.end())
        << label << ": " << name << "=" << space::to_string(value);
  }
  // Parsed back from the point (the sweep's plan), from its text (the worker protocol) and from
  // the params JSON (the database): the same typed variant each time.
  EXPECT_EQ(space::make_kernel_variant(space, typed.point, kProblem), typed) << label;
  EXPECT_EQ(space::make_kernel_variant(space::to_string(family),
                                       space::Variant::from_label(typed.point.label()), kProblem),
            typed)
      << label;
  EXPECT_EQ(values_of_params_json(typed.point.params_json()), to_values(params)) << label;
  // The family's label, as the labeler of the space gives it.
  EXPECT_EQ(label, space.label(typed.point, kProblem));
  EXPECT_EQ(knobs.size(), space.parameters.size());
}

} // namespace

TEST(KernelVariant, EveryLutGemmKnobValueRoundTrips) {
  const LutParams defaults;
  std::size_t cases = 0;
  for (const auto& knob : lut_knobs())
    for (const auto& value : knob.values) {
      const auto params = with_value(defaults, knob.name, value, lut_params_from_values);
      expect_round_trips(space::Family::lutgemm, params, lut_knobs());
      EXPECT_EQ(to_values(params).at(knob.name), value);
      ++cases;
    }
  EXPECT_GT(cases, 40u); // every knob's every value, not a few
}

TEST(KernelVariant, EveryOptqKnobValueRoundTrips) {
  const OptqParams defaults;
  for (const auto& knob : optq_knobs())
    for (const auto& value : knob.values) {
      const auto params = with_value(defaults, knob.name, value, optq_params_from_values);
      expect_round_trips(space::Family::optq, params, optq_knobs());
      EXPECT_EQ(to_values(params).at(knob.name), value);
    }
}

TEST(KernelVariant, TheSweepsVariantsAreTheAcceptedPointsParsed) {
  const auto space = space::small_family_space(space::Family::lutgemm, kProblem);
  const auto points = space::enumerate(space, kProblem).accepted;
  const auto variants = space::accepted_variants(space, kProblem);
  ASSERT_EQ(variants.size(), points.size());
  ASSERT_FALSE(variants.empty());
  for (std::size_t i = 0; i < variants.size(); ++i) {
    EXPECT_EQ(variants[i].point, points[i]);
    EXPECT_EQ(variants[i].lut(), space::lut_params(points[i]));
    EXPECT_EQ(variants[i].label, lut_label(kProblem, variants[i].lut()));
    EXPECT_EQ(space::variant_plan(kProblem, variants[i]).launches.size(),
              make_launch_plan(kProblem, variants[i].lut()).launches.size());
  }
  EXPECT_THROW((void)variants[0].optq(), RuntimeError);
}

TEST(KernelVariant, AToySpaceKeepsItsPointAndItsOwnLabel) {
  space::SearchSpace toy;
  toy.family = "toy";
  toy.add_parameter("rows", {std::int64_t{64}});
  toy.labeler = [](const space::Variant& v, const Problem&) { return "toy_" + v.label(); };
  const space::Variant point({{"rows", std::int64_t{64}}});
  const auto v = space::make_kernel_variant(toy, point, kProblem);
  EXPECT_TRUE(std::holds_alternative<std::monostate>(v.params));
  EXPECT_EQ(v.label, "toy_rows=64");
  EXPECT_EQ(v.point, point);
  EXPECT_THROW((void)v.lut(), RuntimeError);
  EXPECT_THROW((void)space::variant_plan(kProblem, v), RuntimeError);
}

TEST(KernelVariant, ABadValueIsAUsageErrorAtTheParse) {
  const auto space = space::family_space(space::Family::lutgemm);
  auto values = space::make_kernel_variant(kProblem, LutParams{}).point.values();
  for (auto& [name, value] : values)
    if (name == "mu")
      value = std::int64_t{6}; // not an allowed table key width
  EXPECT_THROW(space::make_kernel_variant(space, space::Variant(values), kProblem), UsageError);
}
