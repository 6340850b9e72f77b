#pragma once
// The JIT's second cache tier: compiled kernels (and compile errors, with their log) in the
// results database's compile_cache table, keyed by the full compile key (source hash, options,
// arch, NVRTC version), whose text is stored in full so that a hash collision is a miss. It
// outlives the process, so a second `lutgemm compile` or `lutgemm tune` compiles nothing again.
// It lives in the store (all SQL does) and implements jit's KernelCache: store uses jit, never the
// other way round, so the JIT builds and is tested without SQLite (tests/unit/test_module_graph).
#include "jit/kernel_cache.hpp"
#include "store/store.hpp"

#include <memory>
#include <mutex>

namespace lutgemm {

class SqliteKernelCache final : public KernelCache {
public:
  // Opens (or creates) the database at `path` on its own connection, so compiler threads never
  // share a connection with the caller. Throws UsageError like store::Store::open.
  explicit SqliteKernelCache(const std::string& path);

  std::shared_ptr<const CompiledKernel> lookup(const std::string& key) override;
  void insert(const std::string& key, std::shared_ptr<const CompiledKernel> kernel) override;
  std::optional<Failure> lookup_failure(const std::string& key) override;
  void insert_failure(const std::string& key, const KernelSpec& spec, const std::string& arch,
                      const Failure& failure) override;

  std::int64_t size();

private:
  std::mutex mutex_; // one connection, many compiler threads
  store::Store store_;
};

// The spec as the JSON text stored with each entry, and back.
std::string spec_to_json(const KernelSpec& spec);
KernelSpec spec_from_json(const std::string& text);

} // namespace lutgemm
