#pragma once
// Cache tiers for compiled kernels, looked up by the full compile key (compile_key() in
// jit/nvrtc_compiler.hpp: source hash, name expression, defines, arch, options, NVRTC version).
// The compiler owns an ordered list of tiers (memory first); the tuner adds a SQLite tier by
// implementing KernelCache.
#include "jit/compiled_kernel.hpp"

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace lutgemm {

class KernelCache {
public:
  virtual ~KernelCache() = default;
  // The kernel stored under `key`, or nullptr.
  virtual std::shared_ptr<const CompiledKernel> lookup(const std::string& key) = 0;
  virtual void insert(const std::string& key, std::shared_ptr<const CompiledKernel> kernel) = 0;

  // Compile errors are results too (a persistent tier keeps them, so a known-bad variant is not
  // recompiled): the stored failure under `key`, or nullopt. Tiers without failures keep none.
  struct Failure {
    std::string message; // one line
    std::string log;     // the compiler's log
  };
  virtual std::optional<Failure> lookup_failure(const std::string& /*key*/) { return std::nullopt; }
  virtual void insert_failure(const std::string& /*key*/, const KernelSpec& /*spec*/,
                              const std::string& /*arch*/, const Failure& /*failure*/) {}
};

// Thread-safe in-memory tier.
class MemoryKernelCache final : public KernelCache {
public:
  std::shared_ptr<const CompiledKernel> lookup(const std::string& key) override;
  void insert(const std::string& key, std::shared_ptr<const CompiledKernel> kernel) override;
  std::size_t size() const;

private:
  mutable std::mutex mutex_;
  std::unordered_map<std::string, std::shared_ptr<const CompiledKernel>> entries_;
};

} // namespace lutgemm
