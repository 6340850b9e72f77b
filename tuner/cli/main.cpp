// `lutgemm`: the command. Exit codes: 0 success, 2 bad input, 1 runtime failure.
#include "cli/command_registry.hpp"
#include "cli/version_text.hpp"
#include "common/error.hpp"

#include <fmt/format.h>

#include <cstdio>
#include <exception>
#include <string>

namespace {

std::string one_line(std::string text) {
  for (auto& ch : text)
    if (ch == '\n' || ch == '\r')
      ch = ' ';
  while (!text.empty() && text.back() == ' ')
    text.pop_back();
  return text;
}

// "lutgemm quantize" when the error happened inside a subcommand, else "lutgemm".
std::string parsed_command_name(const CLI::App& app) {
  for (const auto* sub : app.get_subcommands())
    return "lutgemm " + sub->get_name();
  return "lutgemm";
}

} // namespace

int main(int argc, char** argv) {
  using namespace lutgemm;
  CLI::App app{
      "lutgemm: autotune and benchmark LUT-GEMM kernels for weight-only quantized LLM "
      "inference.\nTune for a GPU, reproduce the paper's latency tables, export best-config "
      "headers. Without a GPU, kernels run in the host SIMT emulator.",
      "lutgemm"};
  app.require_subcommand(0, 1);
  app.set_version_flag(
      "--version", [] { return cli::version_text(); },
      "Print version, git SHA, CUDA toolkit and NVRTC versions");

  struct Active {
    CLI::App* app;
    std::unique_ptr<cli::Command> command;
  };
  std::vector<Active> commands;
  for (const auto& registered : cli::registered_commands()) {
    auto* sub = app.add_subcommand(registered.name, registered.description);
    auto command = registered.make();
    command->setup(*sub);
    commands.push_back({sub, std::move(command)});
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0)
      return app.exit(e); // --help, --version
    // One line (CLI11's own handler prints two): the command, CLI11's message naming the bad value
    // or option, and where the allowed values are listed.
    const std::string name = parsed_command_name(app);
    std::string allowed = fmt::format("see `{} --help` for what is allowed", name);
    if (app.get_subcommands().empty()) {
      std::string names;
      for (const auto& active : commands)
        names += (names.empty() ? "" : ", ") + active.app->get_name();
      allowed = fmt::format("commands: {}; see `lutgemm --help`", names);
    }
    fmt::print(stderr, "{}: error: {} ({})\n", name, one_line(e.what()), allowed);
    return 2;
  } catch (const UsageError& e) { // raised by option validators
    fmt::print(stderr, "{}: error: {}\n", parsed_command_name(app), one_line(e.what()));
    return 2;
  }

  for (auto& active : commands) {
    if (!active.app->parsed())
      continue;
    try {
      return active.command->run();
    } catch (const UsageError& e) {
      fmt::print(stderr, "lutgemm {}: error: {}\n", active.app->get_name(), e.what());
      return 2;
    } catch (const std::exception& e) {
      fmt::print(stderr, "lutgemm {}: failed: {}\n", active.app->get_name(), e.what());
      return 1;
    }
  }
  fmt::print("{}", app.help());
  return 0;
}
