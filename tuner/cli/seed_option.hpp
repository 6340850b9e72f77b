#pragma once
// --seed is unsigned: CLI11 would wrap "-1" to 2^64-1, so a leading '-' is refused first.
#include <CLI/CLI.hpp>

#include <string>

namespace lutgemm::cli {

inline const CLI::Validator kSeedValidator(
    [](std::string& text) -> std::string {
      return !text.empty() && text[0] == '-'
                 ? "seed " + text + " is negative: give an integer from 0 to 2^64-1"
                 : std::string();
    },
    "SEED");

} // namespace lutgemm::cli
