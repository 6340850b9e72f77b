#pragma once
// The kernel families' search spaces as data (their knobs from tuner/kernels/, a constraint that
// asks the family's own check(), the family's label), the resources a launch plan alone tells,
// and the pre-filter limits of a target. A point's typed form and its launch plan:
// space/kernel_variant.hpp.
#include "jit/launch_plan.hpp"
#include "space/kernel_variant.hpp"
#include "space/prefilter.hpp"
#include "space/search_space.hpp"
#include "targets/gpu_spec.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace lutgemm::space {

// enum class Family { lutgemm, optq } is in space/kernel_variant.hpp.
std::string to_string(Family family);
Family family_from_string(std::string_view text); // UsageError listing lutgemm, optq

// Every knob and value of the family; the constraint "kernel_check" gives check()'s reason.
SearchSpace family_space(Family family);

// A small curated subspace around the shipped defaults (a few dozen points before constraints):
// what the emulator can verify in minutes on a laptop-class CPU.
SearchSpace small_family_space(Family family, const Problem& problem);

// Applies "name=v1,v2" restrictions (--param); UsageError on malformed text.
void apply_restrictions(SearchSpace& space, const std::vector<std::string>& restrictions);

// Threads and dynamic shared memory of the plan's launches, the largest of each (registers
// unknown: 0).
ResourceUsage plan_resources(const LaunchPlan& plan);

// The pre-filter's limits of a built-in target.
TargetLimits target_limits(const GpuSpec& target);

} // namespace lutgemm::space
