#pragma once
// The Kernel behind load_kernel(): the dlopen'ed library (and, on the first race-checked launch,
// an instrumented build of the same spec).
#include "emu/emulator.hpp"
#include "emu/host_compiler.hpp"

#include <mutex>
#include <utility>
#include <vector>

namespace lutgemm::emu::detail {

struct LoadedLibrary {
  HostLibrary built;
  void* handle = nullptr;
  void (*entry)(void**) = nullptr;
  void (*touch_tls)() = nullptr;     // race-check builds only
  std::size_t static_smem_bytes = 0; // size of the module's TLS segment (static __shared__)
  // Byte ranges [offset, offset + bytes) of that segment holding compiler-made initialization
  // guards (elf_tls.hpp): not shared memory, skipped by the race check.
  std::vector<std::pair<std::size_t, std::size_t>> tls_guards;
};

// Loads a library file once per process (handles are never closed: launches may be running).
std::shared_ptr<const LoadedLibrary> open_library(const HostLibrary& built);

class LoadedKernel final : public Kernel {
public:
  LoadedKernel(KernelSpec spec, std::shared_ptr<const LoadedLibrary> library)
      : spec_(std::move(spec)), library_(std::move(library)) {}
  const KernelSpec& spec() const override { return spec_; }
  bool cache_hit() const override { return library_->built.cache_hit; }
  double compile_ms() const override { return library_->built.compile_ms; }
  std::string library_path() const override { return library_->built.path; }

  const LoadedLibrary& library() const { return *library_; }
  const LoadedLibrary& race_library() const; // compiled on first use

private:
  KernelSpec spec_;
  std::shared_ptr<const LoadedLibrary> library_;
  mutable std::mutex race_mutex_;
  mutable std::shared_ptr<const LoadedLibrary> race_;
};

} // namespace lutgemm::emu::detail
