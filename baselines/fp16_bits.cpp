#include "baselines/fp16_bits.hpp"

#include <cuda_fp16.h>

namespace lutgemm::baselines::detail {

std::uint16_t to_fp16(float value) {
  const __half_raw raw = __float2half_rn(value);
  return raw.x;
}

float from_fp16(std::uint16_t bits) {
  __half_raw raw;
  raw.x = bits;
  return __half2float(__half(raw));
}

} // namespace lutgemm::baselines::detail
