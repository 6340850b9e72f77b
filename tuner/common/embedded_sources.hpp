#pragma once
// Kernel sources and the emulator's device runtime, embedded into the binary at build time
// (cmake/embed_sources.cmake), so that `lutgemm` runs from any directory.
#include <optional>
#include <string_view>
#include <vector>

namespace lutgemm::embedded {

struct EmbeddedFile {
  std::string_view name; // path relative to the project root, e.g. "kernels/lutgemm.cuh"
  std::string_view content;
};

// Every embedded file, in build order.
std::vector<EmbeddedFile> all_files();

// The file embedded under `name`, or nullopt.
std::optional<std::string_view> find(std::string_view name);

// Like find(), but throws lutgemm::RuntimeError naming the missing file and what is embedded.
std::string_view get(std::string_view name);

namespace detail {
extern const EmbeddedFile kFiles[]; // the library's (lutgemm_core)
extern const unsigned long kFileCount;

// Files a binary embeds on top of the library's (the tests' own kernels, tests/emu/kernels/): the
// binary's generated table registers them during static initialization, and all_files(), find()
// and get() answer them like the library's. Keeps test-only files out of lutgemm_core.
struct ExtraFiles {
  ExtraFiles(const EmbeddedFile* files, unsigned long count);
};
} // namespace detail

} // namespace lutgemm::embedded
