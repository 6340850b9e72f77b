#pragma once
// A variant in its typed form. A search space hands out points (space::Variant: name -> text or
// integer values); a kernel launch, the model and the verifier need the family's parameters
// (LutParams, OptqParams). The point is parsed once, here, where it enters the sweep (the tune
// driver's plan, `lutgemm space`/`compile`/`profile`, the worker reading a request); every later
// step (evaluator, launch plan, model) takes the KernelVariant and reads no knob text again.
#include "kernels/lut_params.hpp"
#include "kernels/optq_params.hpp"
#include "problem/problem.hpp"
#include "space/search_space.hpp"

#include <string>
#include <variant>
#include <vector>

namespace lutgemm::space {

enum class Family { lutgemm, optq };

struct KernelVariant {
  // The space's point, kept for what stores or sends it as values: the database's params JSON,
  // the worker protocol, and the toy families of the tests, which have no typed parameters.
  Variant point;
  std::string label; // the family's label of the variant for the problem (stored in the database)
  // monostate: a space of no kernel family of this project (the tests' toy spaces).
  std::variant<std::monostate, LutParams, OptqParams> params;

  bool is_lut() const { return std::holds_alternative<LutParams>(params); }
  const LutParams& lut() const;   // RuntimeError naming the label when it is not LUT-GEMM
  const OptqParams& optq() const; // RuntimeError naming the label when it is not OPTQ
  friend bool operator==(const KernelVariant&, const KernelVariant&) = default;
};

// A knob's value text as a space holds it: digits as an integer, anything else as text.
Value knob_value(const std::string& text);

// The family's parameters of a point (UsageError for a missing or disallowed value).
LutParams lut_params(const Variant& point);
OptqParams optq_params(const Variant& point);

// The one parse of a point of `space` for `problem`: LUT-GEMM and OPTQ points (space.family
// "lutgemm", "optq") into their parameters, labelled from those; any other family keeps only the
// point and space.label().
KernelVariant make_kernel_variant(const SearchSpace& space, const Variant& point,
                                  const Problem& problem);
// The same for a family named by text (the worker, which gets the family, not the space).
KernelVariant make_kernel_variant(const std::string& family, const Variant& point,
                                  const Problem& problem);

// Typed parameters back into a point of the family's space (integers as integers, in the knobs'
// order), and a KernelVariant from them: what a caller holding parameters (the shipped defaults,
// a test) passes where a variant is asked for.
Variant to_point(const LutParams& params);
Variant to_point(const OptqParams& params);
KernelVariant make_kernel_variant(const Problem& problem, const LutParams& params);
KernelVariant make_kernel_variant(const Problem& problem, const OptqParams& params);

// The accepted points of `space` for `problem` (space::enumerate), each parsed once.
std::vector<KernelVariant> accepted_variants(const SearchSpace& space, const Problem& problem);

// The variant's launch plan (make_launch_plan of its family); RuntimeError for a toy variant.
LaunchPlan variant_plan(const Problem& problem, const KernelVariant& variant);

} // namespace lutgemm::space
