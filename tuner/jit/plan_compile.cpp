#include "jit/plan_compile.hpp"

#include <map>

namespace lutgemm {

std::size_t main_launch_index(const LaunchPlan& plan) {
  std::size_t main = 0;
  for (std::size_t i = 1; i < plan.launches.size(); ++i)
    if (plan.launches[i].config.dynamic_smem_bytes > plan.launches[main].config.dynamic_smem_bytes)
      main = i;
  return main;
}

std::vector<PlanCompileResult> compile_plans(NvrtcCompiler& compiler,
                                             const std::vector<LaunchPlan>& plans,
                                             const std::string& arch, int threads) {
  std::map<std::string, std::size_t> index; // spec key text -> request
  std::vector<CompileRequest> requests;
  for (const auto& plan : plans) {
    for (const auto& launch : plan.launches) {
      auto key = launch.spec.key_text();
      if (index.emplace(key, requests.size()).second)
        requests.push_back({launch.spec, arch});
    }
  }
  auto outcomes = compiler.compile_all(requests, threads);
  std::vector<PlanCompileResult> results;
  for (const auto& plan : plans) {
    PlanCompileResult r;
    r.ok = true;
    const std::size_t main = main_launch_index(plan);
    for (std::size_t i = 0; i < plan.launches.size(); ++i) {
      const auto& launch = plan.launches[i];
      const auto request = index.at(launch.spec.key_text());
      const auto& outcome = outcomes[request];
      r.all_cache_hits = r.all_cache_hits && outcome.cache_hit;
      if (!outcome.kernel) {
        if (r.ok) {
          r.error = outcome.error;
          r.log = outcome.log;
        }
        r.ok = false;
        continue;
      }
      r.kernels.push_back(outcome.kernel);
      if (!outcome.cache_hit)
        r.compile_ms += outcome.kernel->compile_ms;
      if (i == main) {
        r.main = outcome.kernel->resources;
        r.main_launch = i;
      }
    }
    if (!r.ok)
      r.kernels.clear();
    results.push_back(std::move(r));
  }
  return results;
}

} // namespace lutgemm
