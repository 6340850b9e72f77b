// Quantizes a small random matrix with lutgemm's BCQ, packs it into the kernels' layout, unpacks
// it again and checks that nothing was lost: the installed headers and library work together.
#include "build_info.hpp"
#include "quant/bcq.hpp"
#include "quant/generate.hpp"
#include "quant/pack_bcq.hpp"

#include <cstdio>

int main() {
  const std::int64_t m = 20, k = 256;
  lutgemm::BcqOptions options;
  options.bits = 3;
  options.group = 128;
  const auto bcq = lutgemm::quantize_bcq(lutgemm::gaussian_weights(m, k, 1), m, k, options);
  const auto packed = lutgemm::pack_bcq(bcq);
  const auto back = lutgemm::unpack_bcq(packed);
  const bool same = back.signs == bcq.signs && back.alpha == bcq.alpha && back.offset == bcq.offset;
  std::printf("lutgemm %s: %lld x %lld at q%d g%lld -> %zu words (m_stride %lld), round trip %s\n",
              lutgemm::build_info::kVersion, static_cast<long long>(m), static_cast<long long>(k),
              packed.bits, static_cast<long long>(packed.group), packed.bit_words.size(),
              static_cast<long long>(packed.m_stride), same ? "exact" : "DIFFERS");
  return same && packed.bit_words.size() == static_cast<std::size_t>(k / 32 * 3 * 24) ? 0 : 1;
}
