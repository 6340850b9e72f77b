#include "quant/generate.hpp"

#include "common/error.hpp"
#include "common/half.hpp"
#include "quant/parallel_rows.hpp"

#include <fmt/format.h>

#include <cmath>
#include <numbers>
#include <random>

namespace lutgemm {
namespace {
std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

// Standard normal pairs by Box-Muller from 53-bit uniforms.
class Normal {
public:
  explicit Normal(std::uint64_t seed) : engine_(seed) {}
  double next() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    const double u1 = (static_cast<double>(engine_() >> 11) + 1.0) * 0x1p-53; // (0, 1]
    const double u2 = static_cast<double>(engine_() >> 11) * 0x1p-53;         // [0, 1)
    const double radius = std::sqrt(-2.0 * std::log(u1));
    spare_ = radius * std::sin(2.0 * std::numbers::pi * u2);
    has_spare_ = true;
    return radius * std::cos(2.0 * std::numbers::pi * u2);
  }

private:
  std::mt19937_64 engine_;
  double spare_ = 0.0;
  bool has_spare_ = false;
};

void check_dims(std::int64_t rows, std::int64_t cols) {
  if (rows <= 0 || cols <= 0)
    throw UsageError(fmt::format("matrix dimensions {}x{} must be positive", rows, cols));
}
} // namespace

std::vector<float> gaussian_weights(std::int64_t m, std::int64_t k, std::uint64_t seed,
                                    float stddev) {
  check_dims(m, k);
  std::vector<float> w(static_cast<std::size_t>(m * k));
  parallel_rows(
      m,
      [&](std::int64_t begin, std::int64_t end) {
        for (std::int64_t row = begin; row < end; ++row) {
          Normal normal(splitmix64(seed ^ splitmix64(static_cast<std::uint64_t>(row))));
          for (std::int64_t j = 0; j < k; ++j)
            w[static_cast<std::size_t>(row * k + j)] = static_cast<float>(normal.next() * stddev);
        }
      },
      0, k * 8);
  return w;
}

std::vector<std::uint16_t> random_activations(int batch, std::int64_t k, std::uint64_t seed) {
  check_dims(batch, k);
  std::vector<std::uint16_t> x(static_cast<std::size_t>(batch * k));
  for (int b = 0; b < batch; ++b) {
    Normal normal(splitmix64(~seed ^ splitmix64(static_cast<std::uint64_t>(b))));
    for (std::int64_t j = 0; j < k; ++j) {
      double value = normal.next();
      while (std::abs(value) < 0x1p-8)
        value = normal.next();
      x[static_cast<std::size_t>(b * k + j)] = float_to_half(value);
    }
  }
  return x;
}

} // namespace lutgemm
