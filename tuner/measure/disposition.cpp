#include "measure/disposition.hpp"

#include "common/error.hpp"

#include <fmt/format.h>

#include <array>
#include <utility>

namespace lutgemm {
namespace {
constexpr std::array kDispositions = {
    std::pair{Disposition::ok, "ok"},
    std::pair{Disposition::compile_error, "compile_error"},
    std::pair{Disposition::resource_limit, "resource_limit"},
    std::pair{Disposition::launch_error, "launch_error"},
    std::pair{Disposition::wrong_result, "wrong_result"},
    std::pair{Disposition::timeout, "timeout"},
    std::pair{Disposition::skipped, "skipped"},
};
constexpr std::array kSources = {
    std::pair{TimeSource::measured, "measured"},
    std::pair{TimeSource::modelled, "modelled"},
    std::pair{TimeSource::emulated, "emulated"},
};

template <typename Table> std::string names(const Table& table) {
  std::string text;
  for (const auto& [value, name] : table)
    text += (text.empty() ? "" : ", ") + std::string(name);
  return text;
}
} // namespace

std::string to_string(Disposition disposition) {
  for (const auto& [value, name] : kDispositions)
    if (value == disposition)
      return name;
  return "unknown";
}

Disposition disposition_from_string(std::string_view text) {
  for (const auto& [value, name] : kDispositions)
    if (text == name)
      return value;
  throw UsageError(
      fmt::format("unknown disposition '{}' (allowed: {})", text, names(kDispositions)));
}

std::string to_string(TimeSource source) {
  for (const auto& [value, name] : kSources)
    if (value == source)
      return name;
  return "unknown";
}

TimeSource time_source_from_string(std::string_view text) {
  for (const auto& [value, name] : kSources)
    if (text == name)
      return value;
  throw UsageError(fmt::format("unknown time source '{}' (allowed: {})", text, names(kSources)));
}

} // namespace lutgemm
