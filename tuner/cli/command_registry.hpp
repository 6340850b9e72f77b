#pragma once
// Subcommands of `lutgemm` register themselves here, one file per subcommand (cmd_<name>.cpp):
//
//   namespace {
//   class DevicesCommand final : public lutgemm::cli::Command {
//     void setup(CLI::App& app) override { app.add_flag("--json", json_, "..."); }
//     int run() override { ...; return 0; }
//     bool json_ = false;
//   };
//   const lutgemm::cli::Registration kRegistration{
//       "devices", "List CUDA devices and the host emulator", 10,
//       [] { return std::make_unique<DevicesCommand>(); }};
//   } // namespace
//
// run() returns the exit code. Throw lutgemm::UsageError for bad input (exit 2, one line) and
// lutgemm::RuntimeError for failures (exit 1); main() prints them.
#include <CLI/CLI.hpp>

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace lutgemm::cli {

class Command {
public:
  virtual ~Command() = default;
  virtual void setup(CLI::App& app) = 0;
  virtual int run() = 0;
};

struct Registration {
  Registration(std::string name, std::string description, int order,
               std::function<std::unique_ptr<Command>()> make);
};

struct RegisteredCommand {
  std::string name;
  std::string description;
  int order; // position in `lutgemm --help`
  std::function<std::unique_ptr<Command>()> make;
};

// All registered subcommands, sorted by order then name.
std::vector<RegisteredCommand> registered_commands();

} // namespace lutgemm::cli
