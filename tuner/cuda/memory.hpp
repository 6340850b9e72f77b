#pragma once
// Device memory and host <-> device copies (RAII). Needs a current context (PrimaryContext).
#include "cuda/driver_api.hpp"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace lutgemm::cuda {

class DeviceBuffer {
public:
  DeviceBuffer() = default;
  explicit DeviceBuffer(std::size_t bytes); // zero bytes allocates nothing (ptr() == 0)
  ~DeviceBuffer();
  DeviceBuffer(DeviceBuffer&& other) noexcept;
  DeviceBuffer& operator=(DeviceBuffer&& other) noexcept;
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;

  CUdeviceptr ptr() const { return ptr_; }
  std::size_t bytes() const { return bytes_; }
  // For kernel arguments (cuLaunchKernel takes the address of each argument).
  CUdeviceptr* ptr_address() { return &ptr_; }

  // Synchronous copies; `bytes` must not exceed bytes(). Throws DriverError / RuntimeError.
  void upload(const void* host, std::size_t bytes);
  void download(void* host, std::size_t bytes) const;
  void fill(std::uint8_t value);              // cuMemsetD8 over the whole buffer
  void copy_from(const DeviceBuffer& source); // device to device, min of both sizes

  template <class T> void upload(const std::vector<T>& host) {
    upload(host.data(), host.size() * sizeof(T));
  }
  template <class T> std::vector<T> download_as(std::size_t count) const {
    std::vector<T> host(count);
    download(host.data(), count * sizeof(T));
    return host;
  }

private:
  void release() noexcept;
  CUdeviceptr ptr_ = 0;
  std::size_t bytes_ = 0;
};

// A buffer holding a copy of `host`.
template <class T> DeviceBuffer make_device_buffer(const std::vector<T>& host) {
  DeviceBuffer buffer(host.size() * sizeof(T));
  buffer.upload(host);
  return buffer;
}

// Free and total device memory of the current context's device.
struct MemoryInfo {
  std::size_t free_bytes = 0;
  std::size_t total_bytes = 0;
};
MemoryInfo memory_info();

} // namespace lutgemm::cuda
