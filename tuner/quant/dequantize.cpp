#include "quant/dequantize.hpp"

#include "common/half.hpp"
#include "quant/pack_bcq.hpp"
#include "quant/row_decode.hpp"

#include <algorithm>

namespace lutgemm {

std::vector<double> dequantize(const PackedBcq& p) {
  check_packed(p);
  std::vector<double> w(static_cast<std::size_t>(p.m * p.k));
  for (std::int64_t row = 0; row < p.m; ++row)
    detail::decode_row(p, row, w.data() + row * p.k);
  return w;
}

std::vector<double> dequantize(const PackedGptq& p) {
  detail::check_packed(p);
  std::vector<double> w(static_cast<std::size_t>(p.m * p.k));
  for (std::int64_t row = 0; row < p.m; ++row)
    detail::decode_row(p, row, w.data() + row * p.k);
  return w;
}

namespace {
std::vector<std::uint16_t> to_half(const std::vector<double>& values) {
  std::vector<std::uint16_t> out(values.size());
  std::transform(values.begin(), values.end(), out.begin(),
                 [](double v) { return float_to_half(v); });
  return out;
}
} // namespace

std::vector<std::uint16_t> dequantize_to_half(const PackedBcq& p) {
  return to_half(dequantize(p));
}
std::vector<std::uint16_t> dequantize_to_half(const PackedGptq& p) {
  return to_half(dequantize(p));
}

} // namespace lutgemm
