#include "jit/kernel_cache.hpp"

namespace lutgemm {

std::shared_ptr<const CompiledKernel> MemoryKernelCache::lookup(const std::string& key) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(key);
  return it == entries_.end() ? nullptr : it->second;
}

void MemoryKernelCache::insert(const std::string& key,
                               std::shared_ptr<const CompiledKernel> kernel) {
  std::lock_guard lock(mutex_);
  entries_[key] = std::move(kernel);
}

std::size_t MemoryKernelCache::size() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

} // namespace lutgemm
