#pragma once
// Options shared by `lutgemm space`, `compile` and `tune`: the problem (shape, batch, bits, group),
// the target GPU, the results database path.
#include "problem/problem.hpp"
#include "targets/gpu_spec.hpp"

#include <CLI/CLI.hpp>

#include <string>

namespace lutgemm::cli {

struct ProblemOptions {
  std::string shape = "4096x4096";
  int batch = 1;
  int bits = 3;
  std::string group = "128";
  bool no_offset = false;

  void add_to(CLI::App& app); // --shape, then add_quantization_to
  // --batch, --bits, --group, --no-offset: for a command that takes its shapes another way (tune).
  void add_quantization_to(CLI::App& app);
  Problem problem() const; // validated; UsageError naming the bad value
};

// $LUTGEMM_DB, else results/local/lutgemm.db (relative to the working directory).
std::string default_db_path();

// The built-in target for --target NAME, else the first target of --arch, else `fallback`.
// UsageError for an unknown name or an arch no target has.
const GpuSpec& resolve_target(const std::string& target, const std::string& arch,
                              const std::string& fallback = "a100-80gb");

// UsageError unless `arch` looks like sm_XX (sm_80, sm_90a, ...).
void validate_arch_text(const std::string& arch);

} // namespace lutgemm::cli
