#pragma once
// Host compilation of one KernelSpec into a shared library for the emulator, with the disk cache.
// The translation unit is: the device runtime (tuner/emu/device/emu_runtime.hpp), the spec's
// defines, the kernel source, and an extern "C" entry that unpacks cuLaunchKernel-style arguments
// into the instantiated kernel's parameters.
#include "jit/kernel_spec.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace lutgemm::emu::detail {

enum class BuildMode {
  normal,
  race_check, // instrumented: every memory access calls the race checker (tsan-style hooks)
};

struct HostLibrary {
  std::string path;
  bool cache_hit = false;
  double compile_ms = 0; // 0 on a cache hit
};

// The compiler the build used (CMAKE_CXX_COMPILER), overridable with $LUTGEMM_EMU_CXX.
std::string host_compiler();
// First line of `<compiler> --version`: part of the cache key.
std::string host_compiler_version();
// Flags given to the compiler for a mode (besides -I and -o): part of the cache key.
std::vector<std::string> host_compile_flags(BuildMode mode);

// Flags given to the link of every kernel library: part of the cache key.
std::vector<std::string> host_link_flags();

// `extern __shared__ T name[];` -> a reference to the running block's dynamic shared memory arena
// (a host compiler cannot give an unsized extern array per-block storage).
std::string rewrite_dynamic_shared(std::string_view source);

// The cache key text of a spec in a mode (hash of the sources, spec, compiler, flags).
std::string library_key(const KernelSpec& spec, BuildMode mode);

// Compiles, or finds in the disk cache. Throws EmuError(compile_error) with the compiler's log.
HostLibrary build_library(const KernelSpec& spec, BuildMode mode);

// Removes the temporaries ("<name>.tmp.<pid>.<rand>[.o]") that processes killed mid-compile left in
// `dir`: those whose pid is no longer running. A live compile's files are kept. Returns how many
// were removed. build_library() runs it once per process on the cache folder.
int remove_stale_temporaries(const std::string& dir);

} // namespace lutgemm::emu::detail
