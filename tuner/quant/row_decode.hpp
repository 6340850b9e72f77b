#pragma once
// Decoding one row of a packed layout into exact doubles, shared by dequantize and the reference.
#include "quant/packed_bcq.hpp"
#include "quant/packed_gptq.hpp"

namespace lutgemm::detail {

// out[0..k) = the row's weights, exact in double.
void decode_row(const PackedBcq& packed, std::int64_t row, double* out);
void decode_row(const PackedGptq& packed, std::int64_t row, double* out);

// Throws UsageError when the GPTQ arrays do not match the header fields.
void check_packed(const PackedGptq& packed);

} // namespace lutgemm::detail
