#pragma once
// `--target-spec FILE.json` beside every `--target`: any GPU described by a JSON spec
// (tuner/targets/gpu_spec_file.hpp). It sets the same target string as --target (the absolute
// path, so that tune's workers find it too); find_target() reads the file and validates it.
#include <CLI/CLI.hpp>

#include <string>

namespace lutgemm::cli {

void add_target_spec_option(CLI::App& app, std::string& target, CLI::Option* target_option);

} // namespace lutgemm::cli
