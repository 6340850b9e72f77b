#include "cli/space_options.hpp"

#include "cli/target_spec_option.hpp"

namespace lutgemm::cli {

void add_param_option(CLI::App& app, std::vector<std::string>& params) {
  app.add_option("--param", params, "Keep only these values: name=v1,v2 (repeatable)");
}

void SpaceOptions::add_to(CLI::App& app, const Help& help) {
  app.add_option("--kernel", kernel, "Kernel family: lutgemm or optq")->default_val(kernel);
  problem_options.add_to(app);
  app.add_option("--arch", arch, help.arch);
  add_target_options(app, target,
                     "Built-in target for the pre-filter: " + known_target_keys() + " (" +
                         help.target_default + ")");
  add_param_option(app, params);
  app.add_flag("--small", small, help.small);
}

SpaceOptions::Choice SpaceOptions::resolve() const {
  const auto family = space::family_from_string(kernel);
  const Problem problem = problem_options.problem();
  if (!arch.empty())
    validate_arch_text(arch);
  return {family, problem, resolve_target(target, arch)};
}

space::SearchSpace SpaceOptions::search_space(const Choice& choice) const {
  auto space = small ? space::small_family_space(choice.family, choice.problem)
                     : space::family_space(choice.family);
  space::apply_restrictions(space, params);
  return space;
}

} // namespace lutgemm::cli
