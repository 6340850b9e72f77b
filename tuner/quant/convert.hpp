#pragma once
// Exact conversion of uniform quantization to extended BCQ (the paper's Section 3):
//   s*(n - zp) = sum_i alpha_i b_i + z  with  alpha_i = s * 2^(i-1) (i = 1..q, so s/2, s, 2s, ...),
//   b_i = 2*bit_{i-1}(n) - 1  and  z = sum_i alpha_i - s*zp = s*((2^q - 1)/2 - zp).
// alpha_i are power-of-two multiples of the fp16 scale, hence exact in fp16 (unless s/2 falls
// below the fp16 subnormal range). z is rounded to fp16 once: the converted weights differ from
// the uniform ones by at most half an fp16 ulp of z, the same for every weight of a group.
#include "quant/bcq.hpp"
#include "quant/uniform.hpp"

namespace lutgemm {

BcqWeights uniform_to_bcq(const UniformQuant& quant);

} // namespace lutgemm
