#include "problem/problem.hpp"

#include "common/error.hpp"

#include <fmt/format.h>

#include <charconv>

namespace lutgemm {
namespace {
std::int64_t parse_positive(std::string_view text, std::string_view what) {
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec == std::errc::result_out_of_range ||
      (ec == std::errc() && end == text.data() + text.size() && value > kMaxDim)) {
    throw UsageError(fmt::format("{} '{}' is larger than {}", what, text, kMaxDim));
  }
  if (ec != std::errc() || end != text.data() + text.size() || value <= 0) {
    throw UsageError(fmt::format("{} '{}' is not a positive integer", what, text));
  }
  return value;
}
} // namespace

void validate(const Problem& p) {
  if (p.m <= 0)
    throw UsageError(fmt::format("M = {} must be positive", p.m));
  if (p.k <= 0)
    throw UsageError(fmt::format("K = {} must be positive", p.k));
  if (p.m > kMaxDim)
    throw UsageError(fmt::format("M = {} is larger than {}", p.m, kMaxDim));
  if (p.k > kMaxDim)
    throw UsageError(fmt::format("K = {} is larger than {}", p.k, kMaxDim));
  if (p.m > kMaxProblemWeights / p.k) {
    throw UsageError(
        fmt::format("{}x{} has more than {} weights (2^36)", p.m, p.k, kMaxProblemWeights));
  }
  if (p.k % kKGranule != 0) {
    throw UsageError(fmt::format("K = {} must be a multiple of {}", p.k, kKGranule));
  }
  if (p.bits < kMinBits || p.bits > kMaxBits) {
    throw UsageError(fmt::format("bits = {} is outside {}..{}", p.bits, kMinBits, kMaxBits));
  }
  if (p.batch < 1 || p.batch > kMaxBatch) {
    throw UsageError(fmt::format("batch = {} is outside 1..{}", p.batch, kMaxBatch));
  }
  if (p.group != kRowWise) {
    if (p.group <= 0 || p.group % kKGranule != 0) {
      throw UsageError(fmt::format("group size g = {} must be a positive multiple of {} or 'row'",
                                   p.group, kKGranule));
    }
    if (p.k % p.group != 0) {
      throw UsageError(fmt::format("group size g = {} does not divide K = {}", p.group, p.k));
    }
  }
}

std::string group_text(int group) {
  return group == kRowWise ? std::string("row") : std::to_string(group);
}

std::string to_string(const Problem& p) {
  return fmt::format("{}x{} b{} q{} g{}{}", p.m, p.k, p.batch, p.bits, group_text(p.group),
                     p.has_offset ? "" : " nooffset");
}

void parse_shape(std::string_view text, std::int64_t& m, std::int64_t& k) {
  auto x = text.find_first_of("xX");
  if (x == std::string_view::npos) {
    throw UsageError(fmt::format("shape '{}' must be MxK, e.g. 49152x12288", text));
  }
  m = parse_positive(text.substr(0, x), "M in shape");
  k = parse_positive(text.substr(x + 1), "K in shape");
}

int parse_group(std::string_view text) {
  if (text == "row" || text == "k" || text == "K")
    return kRowWise;
  return static_cast<int>(parse_positive(text, "group size")); // <= kMaxDim fits an int
}

} // namespace lutgemm
