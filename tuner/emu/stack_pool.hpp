#pragma once
// Fiber stacks for one worker: `capacity` slots of lutgemm_emu::kSlotBytes, each aligned to its
// size, laid out as [Thread record page][guard page][stack]. Reused across blocks and launches
// (acquire/release keep a process-wide free list), so a launch allocates no stacks.
#include "emu/device/emu_abi.h"

#include <cstddef>
#include <cstdint>
#include <memory>

namespace lutgemm::emu::detail {

class StackPool {
public:
  explicit StackPool(std::uint32_t capacity);
  ~StackPool();
  StackPool(const StackPool&) = delete;
  StackPool& operator=(const StackPool&) = delete;

  std::uint32_t capacity() const { return capacity_; }
  lutgemm_emu::Thread* thread(std::uint32_t i) const {
    return reinterpret_cast<lutgemm_emu::Thread*>(base_ + std::size_t(i) * lutgemm_emu::kSlotBytes);
  }
  void* stack_top(std::uint32_t i) const {
    return base_ + (std::size_t(i) + 1) * lutgemm_emu::kSlotBytes;
  }
  static constexpr std::size_t stack_bytes() {
    return lutgemm_emu::kSlotBytes - lutgemm_emu::kSlotHeaderBytes - lutgemm_emu::kSlotGuardBytes;
  }
  // After fibers were abandoned (a fault): clears AddressSanitizer's poison of their frames, which
  // would otherwise trip later fibers on the same slots (sanitizer builds; no-op otherwise).
  void forget_abandoned_frames() const;
  // The slot's guard page holds `address`: a stack overflow.
  bool is_guard(const void* address) const;

  // A pool with at least `threads` slots from the free list, or a new one.
  static std::unique_ptr<StackPool> acquire(std::uint32_t threads);
  static void release(std::unique_ptr<StackPool> pool);

private:
  void* mapping_ = nullptr;
  std::size_t mapping_bytes_ = 0;
  unsigned char* base_ = nullptr;
  std::uint32_t capacity_ = 0;
};

} // namespace lutgemm::emu::detail
