#pragma once
// Compiling whole launch plans: every distinct kernel of many plans compiled once, in parallel,
// through the compiler's cache tiers, then regrouped per plan (a variant's plan may hold helper
// kernels that many variants share).
#include "jit/launch_plan.hpp"
#include "jit/nvrtc_compiler.hpp"

#include <memory>
#include <string>
#include <vector>

namespace lutgemm {

struct PlanCompileResult {
  bool ok = false;
  std::string error; // one line: the first failing kernel's error
  std::string log;   // its compiler log
  std::vector<std::shared_ptr<const CompiledKernel>> kernels; // one per launch, when ok
  bool all_cache_hits = true;
  double compile_ms = 0; // sum over the kernels compiled now (0 when all came from a cache)
  // ptxas report of the plan's main launch (main_launch_index).
  ResourceReport main;
  std::size_t main_launch = 0;
};

// The plan's main launch: the family's kernel, the one with the most dynamic shared memory (the
// zeroing, conversion and reduction helpers use none); the first launch when all tie.
std::size_t main_launch_index(const LaunchPlan& plan);

std::vector<PlanCompileResult> compile_plans(NvrtcCompiler& compiler,
                                             const std::vector<LaunchPlan>& plans,
                                             const std::string& arch, int threads = 0);

} // namespace lutgemm
