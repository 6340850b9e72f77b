#include "emu_driver/device_memory.hpp"

#include <cstring>

namespace lutgemm::emucuda {

std::uintptr_t DeviceMemory::allocate(std::size_t bytes) {
  std::lock_guard lock(mutex_);
  if (bytes == 0 || used_ + bytes > capacity_)
    return 0;
  std::unique_ptr<emu::DeviceBuffer> buffer;
  if (auto it = freed_.find(bytes); reuse_ && it != freed_.end()) {
    buffer = std::move(it->second); // the previous owner's contents stay
    freed_.erase(it);
  } else {
    buffer = std::make_unique<emu::DeviceBuffer>(bytes);
    std::memset(buffer->data(), kStalePattern, bytes);
  }
  const auto address = reinterpret_cast<std::uintptr_t>(buffer->data());
  live_[address] = std::move(buffer);
  used_ += bytes;
  return address;
}

bool DeviceMemory::release(std::uintptr_t address) {
  std::lock_guard lock(mutex_);
  auto it = live_.find(address);
  if (it == live_.end())
    return false;
  used_ -= it->second->size();
  if (reuse_)
    freed_.emplace(it->second->size(), std::move(it->second));
  live_.erase(it);
  return true;
}

void* DeviceMemory::span(std::uintptr_t address, std::size_t bytes) const {
  std::lock_guard lock(mutex_);
  auto it = live_.upper_bound(address);
  if (it == live_.begin())
    return nullptr;
  --it;
  const std::uintptr_t start = it->first;
  const std::size_t size = it->second->size();
  if (address - start > size || bytes > size - (address - start))
    return nullptr;
  return reinterpret_cast<void*>(address);
}

std::uint64_t DeviceMemory::used() const {
  std::lock_guard lock(mutex_);
  return used_;
}

} // namespace lutgemm::emucuda
