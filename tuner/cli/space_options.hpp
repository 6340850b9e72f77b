#pragma once
// The options that choose a search space and the target it is filtered for, declared once for the
// subcommands that take them (`lutgemm space`, `compile`, `tune`): the same flag then means the
// same thing, is checked the same way and reads the same in --help everywhere. Only the help
// sentences that say what the subcommand does with a value differ; the caller gives those.
#include "cli/cli_common.hpp"
#include "space/families.hpp"

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

namespace lutgemm::cli {

// --param name=v1,v2 (repeatable): restrictions of the space (space::apply_restrictions).
void add_param_option(CLI::App& app, std::vector<std::string>& params);

// --kernel, the problem, --arch, --target/--target-spec, --param and --small, in that order.
struct SpaceOptions {
  struct Help {
    std::string arch;           // what --arch does here
    std::string target_default; // --target's default, in the parentheses after the known keys
    std::string small;          // what --small gives here
  };

  std::string kernel = "lutgemm";
  ProblemOptions problem_options;
  std::string arch, target;
  std::vector<std::string> params;
  bool small = false;

  void add_to(CLI::App& app, const Help& help);

  // What the options choose, checked in this order (UsageError naming the bad value): --kernel,
  // the problem, --arch (looks like sm_XX), --target (else the first target of --arch, else
  // a100-80gb).
  struct Choice {
    space::Family family;
    Problem problem;
    const GpuSpec& target; // a built-in or --target-spec target: lives as long as the program
  };
  Choice resolve() const;
  // The family's full space or, with --small, its curated subspace; --param applied.
  space::SearchSpace search_space(const Choice& choice) const;
};

} // namespace lutgemm::cli
