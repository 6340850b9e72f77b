// DeviceBuffer: emulated device memory between guard pages (emulator.hpp).
#include "common/error.hpp"
#include "emu/device_registry.hpp"
#include "emu/emulator.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <mutex>
#include <sys/mman.h>
#include <unistd.h>

namespace lutgemm::emu {
namespace detail {
namespace {
struct Entry {
  std::uintptr_t mapping;
  std::size_t mapping_bytes;
  std::uintptr_t data;
  std::size_t bytes;
};
std::mutex g_mutex;
std::map<std::uintptr_t, Entry>& registry() {
  static auto* map = new std::map<std::uintptr_t, Entry>; // never destroyed: exit-safe
  return *map;
}
} // namespace

void register_device_buffer(const void* mapping, std::size_t mapping_bytes, const void* data,
                            std::size_t bytes) {
  std::lock_guard lock(g_mutex);
  const auto m = reinterpret_cast<std::uintptr_t>(mapping);
  registry()[m] = Entry{m, mapping_bytes, reinterpret_cast<std::uintptr_t>(data), bytes};
}

void unregister_device_buffer(const void* mapping) {
  std::lock_guard lock(g_mutex);
  registry().erase(reinterpret_cast<std::uintptr_t>(mapping));
}

std::vector<std::pair<std::uintptr_t, std::uintptr_t>> device_buffer_ranges() {
  std::lock_guard lock(g_mutex);
  std::vector<std::pair<std::uintptr_t, std::uintptr_t>> ranges;
  for (const auto& [start, e] : registry())
    ranges.emplace_back(e.data, e.data + e.bytes);
  std::sort(ranges.begin(), ranges.end());
  return ranges;
}

std::string describe_device_address(const void* address) {
  const auto a = reinterpret_cast<std::uintptr_t>(address);
  std::lock_guard lock(g_mutex);
  for (const auto& [start, e] : registry()) {
    if (a < e.mapping || a >= e.mapping + e.mapping_bytes)
      continue;
    if (a >= e.data + e.bytes)
      return fmt::format("{} bytes past the end of a {}-byte device buffer at {:#x}",
                         a - (e.data + e.bytes), e.bytes, e.data);
    if (a < e.data)
      return fmt::format("{} bytes before the start of a {}-byte device buffer at {:#x}",
                         e.data - a, e.bytes, e.data);
    return fmt::format("inside a {}-byte device buffer at {:#x} (offset {})", e.bytes, e.data,
                       a - e.data);
  }
  return "not inside any emulated device buffer or its guard pages";
}

} // namespace detail

namespace {
std::size_t page_size() {
  static const std::size_t size = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  return size;
}
} // namespace

DeviceBuffer::DeviceBuffer(std::size_t bytes) : bytes_(bytes) {
  const std::size_t page = page_size();
  const std::size_t data_pages = (bytes + page - 1) / page * page;
  mapping_bytes_ = data_pages + 2 * page;
  // MAP_SHARED: a launch isolated in a forked child writes straight into the parent's buffers.
  mapping_ = ::mmap(nullptr, mapping_bytes_, PROT_NONE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (mapping_ == MAP_FAILED) {
    mapping_ = nullptr;
    throw RuntimeError(fmt::format("emulator: cannot allocate a {}-byte device buffer", bytes));
  }
  auto* base = static_cast<unsigned char*>(mapping_);
  if (data_pages > 0 && ::mprotect(base + page, data_pages, PROT_READ | PROT_WRITE) != 0) {
    ::munmap(mapping_, mapping_bytes_);
    mapping_ = nullptr;
    throw RuntimeError(fmt::format("emulator: cannot protect a {}-byte device buffer", bytes));
  }
  // The data ends at the guard page (16-byte aligned start, so vector loads stay aligned and an
  // overrun of one element is caught whenever the size is a multiple of 16 bytes).
  const auto end = reinterpret_cast<std::uintptr_t>(base + page + data_pages);
  data_ = reinterpret_cast<void*>((end - bytes) & ~std::uintptr_t(15));
  detail::register_device_buffer(mapping_, mapping_bytes_, data_, bytes_);
}

DeviceBuffer::~DeviceBuffer() {
  release();
}

DeviceBuffer::DeviceBuffer(DeviceBuffer&& other) noexcept
    : mapping_(other.mapping_), mapping_bytes_(other.mapping_bytes_), data_(other.data_),
      bytes_(other.bytes_) {
  other.mapping_ = nullptr;
  other.data_ = nullptr;
  other.bytes_ = other.mapping_bytes_ = 0;
}

DeviceBuffer& DeviceBuffer::operator=(DeviceBuffer&& other) noexcept {
  if (this != &other) {
    release();
    mapping_ = other.mapping_;
    mapping_bytes_ = other.mapping_bytes_;
    data_ = other.data_;
    bytes_ = other.bytes_;
    other.mapping_ = nullptr;
    other.data_ = nullptr;
    other.bytes_ = other.mapping_bytes_ = 0;
  }
  return *this;
}

void DeviceBuffer::release() noexcept {
  if (mapping_ != nullptr) {
    detail::unregister_device_buffer(mapping_);
    ::munmap(mapping_, mapping_bytes_);
  }
  mapping_ = nullptr;
  data_ = nullptr;
  bytes_ = mapping_bytes_ = 0;
}

void DeviceBuffer::upload(const void* src, std::size_t bytes) {
  if (bytes > bytes_)
    throw RuntimeError(
        fmt::format("DeviceBuffer::upload of {} bytes into a {}-byte buffer", bytes, bytes_));
  if (bytes > 0)
    std::memcpy(data_, src, bytes);
}

void DeviceBuffer::download(void* dst, std::size_t bytes) const {
  if (bytes > bytes_)
    throw RuntimeError(
        fmt::format("DeviceBuffer::download of {} bytes from a {}-byte buffer", bytes, bytes_));
  if (bytes > 0)
    std::memcpy(dst, data_, bytes);
}

} // namespace lutgemm::emu
