#include "quant/reference.hpp"

#include "common/error.hpp"
#include "common/half.hpp"
#include "problem/problem.hpp"
#include "quant/pack_bcq.hpp"
#include "quant/parallel_rows.hpp"
#include "quant/row_decode.hpp"

#include <fmt/format.h>

namespace lutgemm {
namespace {

std::vector<double> activations_to_double(std::span<const std::uint16_t> x, std::int64_t k,
                                          int batch) {
  if (batch < 1 || batch > kMaxBatch)
    throw UsageError(fmt::format("batch = {} is outside 1..{}", batch, kMaxBatch));
  if (static_cast<std::int64_t>(x.size()) != k * batch) {
    throw UsageError(fmt::format("activations hold {} values, expected batch*K = {}*{} = {}",
                                 x.size(), batch, k, k * batch));
  }
  std::vector<double> xd(x.size());
  for (std::size_t i = 0; i < x.size(); ++i)
    xd[i] = half_to_double(x[i]);
  return xd;
}

// decode(row, out) writes the row's k weights; the products are summed in double.
template <typename DecodeRow>
std::vector<double> gemm_rows(std::int64_t m, std::int64_t k, const std::vector<double>& x,
                              int batch, int threads, DecodeRow decode) {
  std::vector<double> y(static_cast<std::size_t>(batch * m));
  parallel_rows(
      m,
      [&](std::int64_t begin, std::int64_t end) {
        std::vector<double> w(static_cast<std::size_t>(k));
        for (std::int64_t row = begin; row < end; ++row) {
          decode(row, w.data());
          for (int b = 0; b < batch; ++b) {
            const double* xb = x.data() + static_cast<std::int64_t>(b) * k;
            double sum = 0.0;
            for (std::int64_t j = 0; j < k; ++j)
              sum += w[static_cast<std::size_t>(j)] * xb[j];
            y[static_cast<std::size_t>(b * m + row)] = sum;
          }
        }
      },
      threads, k * batch);
  return y;
}

} // namespace

std::vector<double> reference_gemm(const PackedBcq& p, std::span<const std::uint16_t> x, int batch,
                                   int threads) {
  check_packed(p);
  const auto xd = activations_to_double(x, p.k, batch);
  return gemm_rows(p.m, p.k, xd, batch, threads,
                   [&](std::int64_t row, double* out) { detail::decode_row(p, row, out); });
}

std::vector<double> reference_gemm(const PackedGptq& p, std::span<const std::uint16_t> x, int batch,
                                   int threads) {
  detail::check_packed(p);
  const auto xd = activations_to_double(x, p.k, batch);
  return gemm_rows(p.m, p.k, xd, batch, threads,
                   [&](std::int64_t row, double* out) { detail::decode_row(p, row, out); });
}

std::vector<double> reference_gemm(std::span<const double> weights, std::int64_t m, std::int64_t k,
                                   std::span<const std::uint16_t> x, int batch, int threads) {
  if (m <= 0 || k <= 0 || static_cast<std::int64_t>(weights.size()) != m * k) {
    throw UsageError(
        fmt::format("weights hold {} values, expected M*K = {}x{}", weights.size(), m, k));
  }
  const auto xd = activations_to_double(x, k, batch);
  return gemm_rows(m, k, xd, batch, threads, [&](std::int64_t row, double* out) {
    std::copy(weights.begin() + row * k, weights.begin() + (row + 1) * k, out);
  });
}

} // namespace lutgemm
