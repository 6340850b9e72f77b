#include "cli/command_registry.hpp"

#include <algorithm>

namespace lutgemm::cli {
namespace {
std::vector<RegisteredCommand>& registry() {
  static std::vector<RegisteredCommand> commands; // function-local: safe during static init
  return commands;
}
} // namespace

Registration::Registration(std::string name, std::string description, int order,
                           std::function<std::unique_ptr<Command>()> make) {
  registry().push_back({std::move(name), std::move(description), order, std::move(make)});
}

std::vector<RegisteredCommand> registered_commands() {
  auto commands = registry();
  std::sort(commands.begin(), commands.end(), [](const auto& a, const auto& b) {
    return a.order != b.order ? a.order < b.order : a.name < b.name;
  });
  return commands;
}

} // namespace lutgemm::cli
