#pragma once
// Where tests find the tools around the project, the same way scripts/setup and the build do, and
// whether a missing tool may be skipped. The one copy for every test (the CUDA_HOME lookup used to
// be repeated, and two copies ignored CUDA_HOME). Header-only: each test executable is one source.
#include <cstdlib>
#include <filesystem>
#include <string>

namespace lutgemm::test {

// The CUDA toolkit's root: $CUDA_HOME when set and non-empty, else /usr/local/cuda.
inline std::filesystem::path cuda_home() {
  const char* home = std::getenv("CUDA_HOME");
  return std::filesystem::path(home != nullptr && *home != '\0' ? home : "/usr/local/cuda");
}

// A program of the toolkit, e.g. cuda_tool("nvcc") (it may not exist: check before running).
inline std::filesystem::path cuda_tool(const std::string& name) {
  return cuda_home() / "bin" / name;
}

// scripts/test sets LUTGEMM_REQUIRE_TOOLS=1: there the README promises every tool the tests use
// (scripts/setup installs them), so a missing one is a failure, not a silent skip.
inline bool tools_required() {
  const char* value = std::getenv("LUTGEMM_REQUIRE_TOOLS");
  return value != nullptr && std::string(value) == "1";
}

} // namespace lutgemm::test

// In a test body: fails when scripts/test requires the tools, skips otherwise.
#define LUTGEMM_SKIP_OR_FAIL(why)                                                                  \
  if (::lutgemm::test::tools_required())                                                           \
    GTEST_FAIL() << why << " (LUTGEMM_REQUIRE_TOOLS=1: scripts/setup installs what tests use)";    \
  else                                                                                             \
    GTEST_SKIP() << why
