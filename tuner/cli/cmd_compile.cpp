// `lutgemm compile`: compiles a search space's variants with NVRTC for one arch, in parallel,
// through the two cache tiers (memory, then the database's compile_cache table), and prints per
// variant the ptxas resources, the compile time and whether it came from the cache, then the
// pre-filter's verdict with those resources and the hit/miss totals. Compile errors are stored in
// the cache with their log, so a known-bad variant is not compiled again.
#include "cli/cli_common.hpp"
#include "cli/command_registry.hpp"
#include "cli/space_options.hpp"
#include "common/error.hpp"
#include "jit/plan_compile.hpp"
#include "space/families.hpp"
#include "store/sqlite_kernel_cache.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <thread>

namespace lutgemm::cli {
namespace {

class CompileCommand final : public Command {
public:
  void setup(CLI::App& app) override {
    options_.add_to(app, {"GPU architecture to compile for (default: the target's)",
                          "default: by --arch", "The small curated subspace"});
    app.add_option("--limit", limit_, "Compile at most N variants (0: all)")->default_val(0);
    app.add_option("--jobs", jobs_, "Compiler threads (0: all cores)")->default_val(0);
    app.add_option("--db", db_,
                   "Database holding the compile cache (default $LUTGEMM_DB or "
                   "results/local/lutgemm.db)");
    app.add_flag("--no-cache", no_cache_, "Memory tier only: do not read or write the database");
    app.add_flag("--json", json_, "Print JSON");
  }

  int run() override {
    const auto choice = options_.resolve();
    const auto& [family, problem, target] = choice;
    const std::string arch = options_.arch.empty() ? target.arch_text() : options_.arch;
    if (limit_ < 0)
      throw UsageError(fmt::format("--limit {} is negative", limit_));
    if (jobs_ < 0)
      throw UsageError(fmt::format("--jobs {} is negative", jobs_));
    auto space = options_.search_space(choice);
    auto variants = space::accepted_variants(space, problem);
    if (limit_ > 0 && variants.size() > static_cast<std::size_t>(limit_))
      variants.resize(static_cast<std::size_t>(limit_));

    std::vector<std::shared_ptr<KernelCache>> tiers{std::make_shared<MemoryKernelCache>()};
    const std::string db = db_.empty() ? default_db_path() : db_;
    if (!no_cache_)
      tiers.push_back(std::make_shared<SqliteKernelCache>(db));
    NvrtcCompiler compiler(tiers);
    std::vector<LaunchPlan> plans;
    for (const auto& v : variants)
      plans.push_back(space::variant_plan(problem, v));
    const auto started = std::chrono::steady_clock::now();
    auto results = compile_plans(compiler, plans, arch, jobs_);
    const double wall_s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

    const auto limits = space::target_limits(target);
    std::size_t hits = 0, misses = 0, errors = 0, passed = 0;
    nlohmann::json rows = nlohmann::json::array();
    std::vector<std::vector<std::string>> table;
    table.push_back({"variant", "regs", "smem", "spills", "compile ms", "cache", "pre-filter"});
    for (std::size_t i = 0; i < variants.size(); ++i) {
      const auto& r = results[i];
      const auto& label = variants[i].label;
      (r.all_cache_hits ? hits : misses) += 1;
      nlohmann::json row{{"label", label}, {"cache_hit", r.all_cache_hits}, {"ok", r.ok}};
      if (!r.ok) {
        ++errors;
        row["error"] = r.error;
        row["log"] = r.log;
        table.push_back({label, "-", "-", "-", "-", r.all_cache_hits ? "hit" : "miss",
                         "compile error: " + r.error});
        rows.push_back(row);
        continue;
      }
      auto usage = space::plan_resources(plans[i]);
      usage.registers = r.main.registers;
      usage.static_smem = r.main.static_smem_bytes;
      usage.spill_stores = r.main.spill_store_bytes;
      usage.spill_loads = r.main.spill_load_bytes;
      usage.stack_bytes = r.main.stack_frame_bytes;
      auto verdict = space::prefilter(usage, limits);
      if (!verdict)
        ++passed;
      const auto smem = usage.static_smem + usage.dynamic_smem;
      const auto spills = usage.spill_stores + usage.spill_loads;
      row.update({{"registers", usage.registers},
                  {"smem_bytes", smem},
                  {"spill_bytes", spills},
                  {"compile_ms", r.compile_ms},
                  {"prefilter", verdict ? verdict->reason : "ok"}});
      rows.push_back(row);
      table.push_back({label, std::to_string(usage.registers), std::to_string(smem),
                       std::to_string(spills), fmt::format("{:.0f}", r.compile_ms),
                       r.all_cache_hits ? "hit" : "miss",
                       verdict ? verdict->rule + ": " + verdict->reason : "ok"});
    }
    if (json_) {
      nlohmann::json j{{"kernel", space::to_string(family)},
                       {"problem", to_string(problem)},
                       {"arch", arch},
                       {"target", std::string(target.key)},
                       {"nvrtc", nvrtc_version_text()},
                       {"cache", no_cache_ ? std::string("memory only") : db},
                       {"variants", rows},
                       {"hits", hits},
                       {"misses", misses},
                       {"compile_errors", errors},
                       {"passed_prefilter", passed},
                       {"wall_s", wall_s}};
      fmt::print("{}\n", j.dump(2));
      return 0;
    }
    std::vector<std::size_t> widths(table[0].size(), 0);
    for (const auto& row : table)
      for (std::size_t c = 0; c < row.size(); ++c)
        widths[c] = std::max(widths[c], row[c].size());
    for (const auto& row : table) {
      std::string line;
      for (std::size_t c = 0; c < row.size(); ++c)
        line += fmt::format("{:<{}}  ", row[c], widths[c]);
      while (!line.empty() && line.back() == ' ')
        line.pop_back();
      fmt::print("{}\n", line);
    }
    fmt::print("{} variants for {} (NVRTC {}): {} cache hits, {} misses, {} compile errors, {} "
               "pass the pre-filter for {}; {:.1f} s wall; cache: {}\n",
               variants.size(), arch, nvrtc_version_text(), hits, misses, errors, passed,
               target.key, wall_s, no_cache_ ? std::string("memory only") : db);
    return 0;
  }

private:
  SpaceOptions options_;
  std::string db_;
  bool no_cache_ = false, json_ = false;
  int limit_ = 0, jobs_ = 0;
};

const Registration kRegistration{
    "compile", "Compile a space's variants with NVRTC (parallel, cached) and show their resources",
    30, [] { return std::make_unique<CompileCommand>(); }};

} // namespace
} // namespace lutgemm::cli
