#pragma once
// Packing BcqWeights into the kernels' layout (quant/packed_bcq.hpp) and back.
#include "quant/bcq.hpp"
#include "quant/packed_bcq.hpp"

namespace lutgemm {

// Throws UsageError when k is not a multiple of 32 (one packed word). Padded rows
// (m <= row < m_stride) get all-zero words, alphas and offsets.
PackedBcq pack_bcq(const BcqWeights& bcq);

// The inverse of pack_bcq (padding dropped). Throws UsageError when the arrays' sizes do not
// match the header fields.
BcqWeights unpack_bcq(const PackedBcq& packed);

// Sizes of a PackedBcq's arrays for these dimensions (with padding), and a consistency check.
std::int64_t padded_rows(std::int64_t m);
void check_packed(const PackedBcq& packed);

} // namespace lutgemm
