#pragma once
// Shared argument checks of the quantizers: one clear UsageError per bad value.
#include <cstddef>
#include <cstdint>

namespace lutgemm::detail {

// Checks m, k > 0, 1 <= bits <= 8, group (kRowWise -> k) dividing k, and that `size` == m * k.
// Returns the group size in weights.
std::int64_t check_quant_args(std::size_t size, std::int64_t m, std::int64_t k, int bits,
                              std::int64_t group);

} // namespace lutgemm::detail
