#include "search/verification.hpp"

#include "common/half.hpp"
#include "quant/bcq.hpp"
#include "quant/generate.hpp"
#include "quant/pack_bcq.hpp"
#include "quant/reference.hpp"

#include <fmt/format.h>

#include <cmath>

namespace lutgemm::search {

VerificationData make_verification_data(const Problem& problem, std::uint64_t seed) {
  VerificationData data;
  data.problem = problem;
  auto w = gaussian_weights(problem.m, problem.k, seed);
  BcqOptions options;
  options.bits = problem.bits;
  options.group = problem.group;
  options.has_offset = problem.has_offset;
  options.rounds = 0;
  data.weights = pack_bcq(quantize_bcq(w, problem.m, problem.k, options));
  data.x = random_activations(problem.batch, problem.k, seed + 1);
  data.reference = reference_gemm(data.weights, data.x, problem.batch);
  return data;
}

Comparison compare_output(const std::vector<std::uint16_t>& y, const std::vector<double>& reference,
                          std::int64_t k, bool fp16_accumulation) {
  std::vector<double> values(y.size());
  for (std::size_t i = 0; i < y.size(); ++i)
    values[i] = half_to_double(y[i]);
  return compare_values(values, reference, k, fp16_accumulation);
}

Comparison compare_values(const std::vector<double>& y, const std::vector<double>& reference,
                          std::int64_t k, bool fp16_accumulation) {
  Comparison c;
  if (y.size() < reference.size()) {
    c.message = fmt::format("output has {} values, expected {}", y.size(), reference.size());
    return c;
  }
  double sum_sq = 0;
  for (double r : reference)
    sum_sq += r * r;
  const double rms = reference.empty() ? 0.0 : std::sqrt(sum_sq / double(reference.size()));
  const double eps = fp16_accumulation ? std::ldexp(1.0, -11) : std::ldexp(1.0, -24);
  const double absolute = 4 * eps * std::sqrt(double(k)) * rms;
  std::size_t worst = 0;
  for (std::size_t i = 0; i < reference.size(); ++i) {
    const double value = y[i];
    const double err = std::isfinite(value) ? std::abs(value - reference[i]) : INFINITY;
    const double allowed = std::ldexp(std::abs(reference[i]), -10) + absolute;
    const double ratio = allowed > 0 ? err / allowed : (err > 0 ? INFINITY : 0.0);
    if (std::isnan(ratio) || ratio > c.worst_ratio || i == 0) {
      c.worst_ratio = std::isnan(ratio) ? INFINITY : ratio;
      worst = i;
    }
    if (err > c.max_abs_error || !std::isfinite(err))
      c.max_abs_error = err;
  }
  c.ok = c.worst_ratio <= 1.0;
  if (!c.ok && !reference.empty()) {
    const double value = y[worst];
    c.message = fmt::format("output {} is {:.6g}, the float64 reference {:.6g}: error {:.3g} is "
                            "{:.1f}x the allowed {:.3g}",
                            worst, value, reference[worst], std::abs(value - reference[worst]),
                            c.worst_ratio, std::ldexp(std::abs(reference[worst]), -10) + absolute);
  }
  return c;
}

} // namespace lutgemm::search
