#pragma once
// The emulated device's memory: every allocation is a guard-paged emu::DeviceBuffer (an access
// past either end faults in a kernel as it would on a GPU), its address is the CUdeviceptr. Fresh
// blocks are filled with a stale-looking pattern, never zeroes (device memory is not clean). With
// reuse on, a freed block goes back to a pool and the next allocation of the same size gets it with
// its old contents, as the caching allocators of real programs hand out blocks.
#include "emu/emulator.hpp"

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>

namespace lutgemm::emucuda {

// 0x3C3C is the fp16 value 1.06: finite, so a kernel that leaves outputs unwritten is not caught by
// a NaN it did not produce.
constexpr std::uint8_t kStalePattern = 0x3C;

class DeviceMemory {
public:
  DeviceMemory(std::uint64_t capacity_bytes, bool reuse_freed)
      : capacity_(capacity_bytes), reuse_(reuse_freed) {}

  // 0 when the capacity would be exceeded.
  std::uintptr_t allocate(std::size_t bytes);
  bool release(std::uintptr_t address); // false: not the start of a live allocation
  // The host address of [address, address + bytes) when it lies inside one live allocation.
  void* span(std::uintptr_t address, std::size_t bytes) const;
  std::uint64_t used() const;
  std::uint64_t capacity() const { return capacity_; }

private:
  mutable std::mutex mutex_;
  std::uint64_t capacity_;
  bool reuse_;
  std::uint64_t used_ = 0;
  std::map<std::uintptr_t, std::unique_ptr<emu::DeviceBuffer>> live_;
  std::multimap<std::size_t, std::unique_ptr<emu::DeviceBuffer>> freed_;
};

} // namespace lutgemm::emucuda
