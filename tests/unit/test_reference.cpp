// The float64 reference GEMM against a straightforward long-double product computed from the
// unpacked quantizer outputs (a different code path from the packed decoders).
#include "common/error.hpp"
#include "common/half.hpp"
#include "quant/bcq.hpp"
#include "quant/generate.hpp"
#include "quant/pack_bcq.hpp"
#include "quant/packed_gptq.hpp"
#include "quant/reference.hpp"
#include "quant/uniform.hpp"

#include <gtest/gtest.h>

#include <cmath>

using namespace lutgemm;

namespace {
std::vector<long double> naive_gemm(const std::vector<long double>& w, std::int64_t m,
                                    std::int64_t k, const std::vector<std::uint16_t>& x,
                                    int batch) {
  std::vector<long double> y(static_cast<std::size_t>(batch * m), 0.0L);
  for (int b = 0; b < batch; ++b)
    for (std::int64_t row = 0; row < m; ++row)
      for (std::int64_t col = 0; col < k; ++col)
        y[b * m + row] += w[row * k + col] * half_to_float(x[b * k + col]);
  return y;
}

void expect_close(const std::vector<double>& got, const std::vector<long double>& want,
                  std::int64_t k) {
  ASSERT_EQ(got.size(), want.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    const long double tolerance = 1e-13L * static_cast<long double>(k) * (1 + std::abs(want[i]));
    ASSERT_LE(std::abs(got[i] - want[i]), tolerance) << i;
  }
}
} // namespace

TEST(Reference, BcqMatchesNaiveProductForEveryBatch) {
  const std::int64_t m = 13, k = 256;
  const auto w = gaussian_weights(m, k, 41);
  const auto bcq = quantize_bcq(w, m, k, {.bits = 3, .group = 64, .rounds = 3});
  const auto packed = pack_bcq(bcq);
  // Unpacked weights straight from the struct, accumulated in long double.
  std::vector<long double> wl(static_cast<std::size_t>(m * k));
  for (std::int64_t row = 0; row < m; ++row) {
    for (std::int64_t col = 0; col < k; ++col) {
      long double v = half_to_float(bcq.offset[(col / 64) * m + row]);
      for (int i = 0; i < 3; ++i) {
        const long double a = half_to_float(bcq.alpha[((col / 64) * 3 + i) * m + row]);
        v += ((bcq.signs[row * k + col] >> i) & 1) ? a : -a;
      }
      wl[row * k + col] = v;
    }
  }
  for (int batch : {1, 3, 32}) {
    const auto x = random_activations(batch, k, static_cast<std::uint64_t>(batch));
    const auto y = reference_gemm(packed, x, batch);
    expect_close(y, naive_gemm(wl, m, k, x, batch), k);
    EXPECT_EQ(y, reference_gemm(packed, x, batch, 1)); // same order of sums on any thread count
  }
}

TEST(Reference, GptqAndDenseMatchNaiveProduct) {
  const std::int64_t m = 11, k = 128;
  const auto w = gaussian_weights(m, k, 42);
  for (int bits : {3, 4}) {
    const auto q = quantize_rtn(w, m, k, bits, 32);
    const auto packed = pack_gptq(q);
    std::vector<long double> wl(static_cast<std::size_t>(m * k));
    std::vector<double> wd(wl.size());
    for (std::int64_t row = 0; row < m; ++row) {
      for (std::int64_t col = 0; col < k; ++col) {
        const auto gi = static_cast<std::size_t>((col / 32) * m + row);
        wl[row * k + col] =
            static_cast<long double>(half_to_float(q.scale[gi])) * q.codes[row * k + col] -
            half_to_float(packed.zeros[gi]);
        wd[row * k + col] = static_cast<double>(wl[row * k + col]);
      }
    }
    const auto x = random_activations(4, k, 77);
    const auto want = naive_gemm(wl, m, k, x, 4);
    expect_close(reference_gemm(packed, x, 4), want, k);
    expect_close(reference_gemm(wd, m, k, x, 4), want, k);
  }
}

TEST(Reference, BadArgumentsAreUsageErrors) {
  const auto packed = pack_bcq(quantize_bcq(gaussian_weights(8, 64, 1), 8, 64, {.group = 32}));
  const auto x = random_activations(2, 64, 1);
  EXPECT_THROW(reference_gemm(packed, x, 3), UsageError); // wrong size
  EXPECT_THROW(reference_gemm(packed, x, 0), UsageError); // batch < 1
  const auto big = random_activations(33, 64, 1);
  EXPECT_THROW(reference_gemm(packed, big, 33), UsageError); // batch > 32
}
