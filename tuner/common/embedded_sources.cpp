#include "common/embedded_sources.hpp"

#include "common/error.hpp"

#include <fmt/format.h>

namespace lutgemm::embedded {
namespace {
// Filled during static initialization only (detail::ExtraFiles), read afterwards.
std::vector<EmbeddedFile>& extra_files() {
  static std::vector<EmbeddedFile> files;
  return files;
}
} // namespace

detail::ExtraFiles::ExtraFiles(const EmbeddedFile* files, unsigned long count) {
  extra_files().insert(extra_files().end(), files, files + count);
}

std::vector<EmbeddedFile> all_files() {
  std::vector<EmbeddedFile> files(detail::kFiles, detail::kFiles + detail::kFileCount);
  files.insert(files.end(), extra_files().begin(), extra_files().end());
  return files;
}

std::optional<std::string_view> find(std::string_view name) {
  for (unsigned long i = 0; i < detail::kFileCount; ++i) {
    if (detail::kFiles[i].name == name)
      return detail::kFiles[i].content;
  }
  for (const auto& file : extra_files()) {
    if (file.name == name)
      return file.content;
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
