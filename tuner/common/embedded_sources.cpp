#include "common/embedded_sources.hpp"

#include "common/error.hpp"

#include <fmt/format.h>

namespace lutgemm::embedded {

std::vector<EmbeddedFile> all_files() {
  return {detail::kFiles, detail::kFiles + detail::kFileCount};
}

std::optional<std::string_view> find(std::string_view name) {
  for (unsigned long i = 0; i < detail::kFileCount; ++i) {
    if (detail::kFiles[i].name == name)
      return detail::kFiles[i].content;
  }
  return std::nullopt;
}

std::string_view get(std::string_view name) {
  if (auto content = find(name))
    return *content;
  std::string known;
  for (const auto& file : all_files())
    known += fmt::format(" {}", file.name);
  throw RuntimeError(fmt::format("no embedded source named '{}' (embedded:{})", name, known));
}

} // namespace lutgemm::embedded
