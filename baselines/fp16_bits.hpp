#pragma once
// fp16 bit patterns <-> float for the baselines' host-side data preparation and read-back.
#include <cstdint>

namespace lutgemm::baselines::detail {
std::uint16_t to_fp16(float value); // round to nearest even
float from_fp16(std::uint16_t bits);
} // namespace lutgemm::baselines::detail
