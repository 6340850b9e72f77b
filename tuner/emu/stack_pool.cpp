#include "emu/stack_pool.hpp"

#include "common/error.hpp"

#include <fmt/format.h>

#include <mutex>
#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#endif
#include <sys/mman.h>
#include <vector>

namespace lutgemm::emu::detail {
namespace {
std::mutex g_free_mutex;
std::vector<std::unique_ptr<StackPool>>& free_list() {
  static auto* list = new std::vector<std::unique_ptr<StackPool>>; // never destroyed: exit-safe
  return *list;
}
} // namespace

StackPool::StackPool(std::uint32_t capacity) : capacity_(capacity) {
  using lutgemm_emu::kSlotBytes;
  mapping_bytes_ = (std::size_t(capacity) + 1) * kSlotBytes;
  mapping_ = ::mmap(nullptr, mapping_bytes_, PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (mapping_ == MAP_FAILED)
    throw RuntimeError(fmt::format("emulator: cannot map {} fiber stacks", capacity));
  const auto addr = reinterpret_cast<std::uintptr_t>(mapping_);
  base_ = reinterpret_cast<unsigned char*>((addr + kSlotBytes - 1) & ~(kSlotBytes - 1));
  for (std::uint32_t i = 0; i < capacity; ++i) {
    unsigned char* guard = base_ + std::size_t(i) * kSlotBytes + lutgemm_emu::kSlotHeaderBytes;
    ::mprotect(guard, lutgemm_emu::kSlotGuardBytes, PROT_NONE);
  }
}

StackPool::~StackPool() {
  if (mapping_ != nullptr && mapping_ != MAP_FAILED)
    ::munmap(mapping_, mapping_bytes_);
}

void StackPool::forget_abandoned_frames() const {
#if defined(__SANITIZE_ADDRESS__)
  for (std::uint32_t i = 0; i < capacity_; ++i)
    ASAN_UNPOISON_MEMORY_REGION(static_cast<unsigned char*>(stack_top(i)) - stack_bytes(),
                                stack_bytes());
#endif
}

bool StackPool::is_guard(const void* address) const {
  const auto a = reinterpret_cast<std::uintptr_t>(address);
  const auto lo = reinterpret_cast<std::uintptr_t>(base_);
  if (a < lo || a >= lo + std::size_t(capacity_) * lutgemm_emu::kSlotBytes)
    return false;
  const std::size_t in_slot = (a - lo) % lutgemm_emu::kSlotBytes;
  return in_slot >= lutgemm_emu::kSlotHeaderBytes &&
         in_slot < lutgemm_emu::kSlotHeaderBytes + lutgemm_emu::kSlotGuardBytes;
}

std::unique_ptr<StackPool> StackPool::acquire(std::uint32_t threads) {
  {
    std::lock_guard lock(g_free_mutex);
    auto& list = free_list();
    for (auto it = list.begin(); it != list.end(); ++it) {
      if ((*it)->capacity() >= threads) {
        auto pool = std::move(*it);
        list.erase(it);
        return pool;
      }
    }
  }
  // Round up so that later launches with a few more threads reuse the pool.
  std::uint32_t capacity = 128;
  while (capacity < threads)
    capacity *= 2;
  return std::make_unique<StackPool>(capacity);
}

void StackPool::release(std::unique_ptr<StackPool> pool) {
  std::lock_guard lock(g_free_mutex);
  auto& list = free_list();
  if (list.size() < 64)
    list.push_back(std::move(pool));
}

} // namespace lutgemm::emu::detail
