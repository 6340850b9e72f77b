#include "quant/shape_check.hpp"

#include "common/error.hpp"
#include "problem/problem.hpp"

#include <fmt/format.h>

namespace lutgemm::detail {

std::int64_t check_quant_args(std::size_t size, std::int64_t m, std::int64_t k, int bits,
                              std::int64_t group) {
  if (m <= 0)
    throw UsageError(fmt::format("M = {} must be positive", m));
  if (k <= 0)
    throw UsageError(fmt::format("K = {} must be positive", k));
  if (bits < kMinBits || bits > kMaxBits)
    throw UsageError(fmt::format("bits = {} is outside {}..{}", bits, kMinBits, kMaxBits));
  const std::int64_t g = group == kRowWise ? k : group;
  if (g <= 0)
    throw UsageError(fmt::format("group size g = {} must be positive or 'row'", group));
  if (k % g != 0)
    throw UsageError(fmt::format("group size g = {} does not divide K = {}", g, k));
  if (static_cast<std::int64_t>(size) != m * k) {
    throw UsageError(
        fmt::format("weight array has {} values, expected M*K = {}x{} = {}", size, m, k, m * k));
  }
  return g;
}

} // namespace lutgemm::detail
