#include "cuda/memory.hpp"

#include "cuda/check.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

namespace lutgemm::cuda {

DeviceBuffer::DeviceBuffer(std::size_t bytes) : bytes_(bytes) {
  if (bytes > 0)
    LUTGEMM_CU(cuMemAlloc, &ptr_, bytes);
}

DeviceBuffer::~DeviceBuffer() {
  release();
}

DeviceBuffer::DeviceBuffer(DeviceBuffer&& other) noexcept
    : ptr_(std::exchange(other.ptr_, 0)), bytes_(std::exchange(other.bytes_, 0)) {}

DeviceBuffer& DeviceBuffer::operator=(DeviceBuffer&& other) noexcept {
  if (this != &other) {
    release();
    ptr_ = std::exchange(other.ptr_, 0);
    bytes_ = std::exchange(other.bytes_, 0);
  }
  return *this;
}

void DeviceBuffer::release() noexcept {
  if (ptr_)
    LUTGEMM_CU_NOTHROW(cuMemFree, ptr_);
  ptr_ = 0;
  bytes_ = 0;
}

static void check_size(std::size_t requested, std::size_t available, const char* what) {
  if (requested > available)
    throw RuntimeError(fmt::format("{} of {} bytes exceeds the device buffer of {} bytes", what,
                                   requested, available));
}

void DeviceBuffer::upload(const void* host, std::size_t bytes) {
  check_size(bytes, bytes_, "upload");
  if (bytes > 0)
    LUTGEMM_CU(cuMemcpyHtoD, ptr_, host, bytes);
}

void DeviceBuffer::download(void* host, std::size_t bytes) const {
  check_size(bytes, bytes_, "download");
  if (bytes > 0)
    LUTGEMM_CU(cuMemcpyDtoH, host, ptr_, bytes);
}

void DeviceBuffer::fill(std::uint8_t value) {
  if (bytes_ > 0)
    LUTGEMM_CU(cuMemsetD8, ptr_, value, bytes_);
}

void DeviceBuffer::copy_from(const DeviceBuffer& source) {
  const std::size_t bytes = std::min(bytes_, source.bytes_);
  if (bytes > 0)
    LUTGEMM_CU(cuMemcpyDtoD, ptr_, source.ptr_, bytes);
}

MemoryInfo memory_info() {
  MemoryInfo info;
  LUTGEMM_CU(cuMemGetInfo, &info.free_bytes, &info.total_bytes);
  return info;
}

} // namespace lutgemm::cuda
