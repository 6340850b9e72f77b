#pragma once
// Live DeviceBuffers, so that a faulting address can be named ("12 bytes past the end of a
// 4096-byte device buffer at 0x...").
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace lutgemm::emu::detail {

void register_device_buffer(const void* mapping, std::size_t mapping_bytes, const void* data,
                            std::size_t bytes);
void unregister_device_buffer(const void* mapping);
std::string describe_device_address(const void* address);
// The data ranges [lo, hi) of every live buffer, sorted by lo.
std::vector<std::pair<std::uintptr_t, std::uintptr_t>> device_buffer_ranges();

} // namespace lutgemm::emu::detail
