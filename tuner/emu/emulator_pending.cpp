// TEMPORARY until branch `emu` (the host SIMT emulator) is merged: the emulator API of
// tuner/emu/emulator.hpp answering with one clear error, so the tuner links. Deleted on merge.
#include "emu/emulator.hpp"

#include <cstdlib>
#include <cstring>

namespace lutgemm::emu {
namespace {
[[noreturn]] void pending() {
  throw EmuError(ErrorKind::crash, "the host SIMT emulator is not in this build yet");
}
} // namespace

std::string to_string(ErrorKind kind) {
  switch (kind) {
  case ErrorKind::compile_error:
    return "compile_error";
  case ErrorKind::launch_config:
    return "launch_config";
  case ErrorKind::out_of_bounds:
    return "out_of_bounds";
  case ErrorKind::barrier_divergence:
    return "barrier_divergence";
  case ErrorKind::deadlock:
    return "deadlock";
  case ErrorKind::shared_race:
    return "shared_race";
  case ErrorKind::timeout:
    return "timeout";
  case ErrorKind::crash:
    return "crash";
  }
  return "unknown";
}

DeviceBuffer::DeviceBuffer(std::size_t bytes) : bytes_(bytes) {
  data_ = std::calloc(bytes == 0 ? 1 : bytes, 1);
}
DeviceBuffer::~DeviceBuffer() {
  release();
}
DeviceBuffer::DeviceBuffer(DeviceBuffer&& other) noexcept
    : data_(other.data_), bytes_(other.bytes_) {
  other.data_ = nullptr;
  other.bytes_ = 0;
}
DeviceBuffer& DeviceBuffer::operator=(DeviceBuffer&& other) noexcept {
  if (this != &other) {
    release();
    data_ = other.data_;
    bytes_ = other.bytes_;
    other.data_ = nullptr;
    other.bytes_ = 0;
  }
  return *this;
}
void DeviceBuffer::release() noexcept {
  std::free(data_);
  data_ = nullptr;
}
void DeviceBuffer::upload(const void* src, std::size_t bytes) {
  std::memcpy(data_, src, bytes);
}
void DeviceBuffer::download(void* dst, std::size_t bytes) const {
  std::memcpy(dst, data_, bytes);
}

std::shared_ptr<const Kernel> load_kernel(const KernelSpec&) {
  pending();
}
void launch(const Kernel&, const LaunchConfig&, void**, const LaunchOptions&) {
  pending();
}
void run_plan(const LaunchPlan&, const std::map<std::string, DeviceBuffer*>&,
              const LaunchOptions&) {
  pending();
}

} // namespace lutgemm::emu
