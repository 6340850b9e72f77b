#pragma once
// `--target-spec FILE.json` beside every `--target`: any GPU described by a JSON spec
// (tuner/targets/gpu_spec_file.hpp). It sets the same target string as --target (the absolute
// path, so that tune's workers find it too); find_target() reads the file and validates it.
#include <CLI/CLI.hpp>

#include <string>

namespace lutgemm::cli {

void add_target_spec_option(CLI::App& app, std::string& target, CLI::Option* target_option);

// --target NAME and then --target-spec FILE.json (excluding each other), both setting `target`:
// the pair every command that takes a GPU declares. `help` is --target's whole help line (what the
// target is for here, the known keys, the default). Returns --target, for a default_val.
CLI::Option* add_target_options(CLI::App& app, std::string& target, const std::string& help);

} // namespace lutgemm::cli
