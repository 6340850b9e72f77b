#include "cli/target_spec_option.hpp"

#include "common/error.hpp"
#include "targets/gpu_spec_file.hpp"

#include <fmt/format.h>

#include <filesystem>

namespace lutgemm::cli {

void add_target_spec_option(CLI::App& app, std::string& target, CLI::Option* target_option) {
  auto* option = app.add_option_function<std::string>(
      "--target-spec",
      [&target](const std::string& path) {
        if (!is_target_spec_path(path))
          throw UsageError(fmt::format("--target-spec: '{}' must be a .json file", path));
        std::error_code ec;
        const auto absolute = std::filesystem::absolute(path, ec);
        target = ec ? path : absolute.string();
        load_target_spec(target); // validates now: a bad field is exit 2 before any work
      },
      "Any GPU: a JSON spec (fields of the built-in table; \"base\" to start from a built-in "
      "target), instead of --target");
  if (target_option)
    option->excludes(target_option);
}

CLI::Option* add_target_options(CLI::App& app, std::string& target, const std::string& help) {
  auto* target_option = app.add_option("--target", target, help);
  add_target_spec_option(app, target, target_option);
  return target_option;
}

} // namespace lutgemm::cli
