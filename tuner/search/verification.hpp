#pragma once
// Verification data and the pass/fail rule: seeded BCQ-quantized weights and fp16 activations for
// a shape, their float64 reference product (tuner/quant/reference.hpp), and the comparison of a
// kernel's fp16 output against it with a tolerance scaled by K and the accumulation type.
#include "problem/problem.hpp"
#include "quant/packed_bcq.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace lutgemm::search {

struct VerificationData {
  Problem problem; // the shape the data is for (the real one, or the emulator's proxy)
  PackedBcq weights;
  std::vector<std::uint16_t> x;  // fp16 [batch][k]
  std::vector<double> reference; // [batch][m]
};

// Gaussian weights quantized with BCQ (greedy and uniform starts, no refinement: test data, not a
// model), packed; random nonzero activations; the float64 reference.
VerificationData make_verification_data(const Problem& problem, std::uint64_t seed);

struct Comparison {
  bool ok = false;
  double max_abs_error = 0;
  double worst_ratio = 0; // max over outputs of error / allowed error (<= 1 passes)
  std::string message;    // "max |err| 0.0123 at (b 0, m 17) > allowed 0.004 (ref 3.2)"
};

// y: fp16 [batch][m] from the kernel. Allowed error per output:
//   2^-10 |ref| (the fp16 output's rounding, with headroom)
//   + 4 eps sqrt(K) rms(ref)  (accumulation: eps = 2^-24 for f32, 2^-11 for f16 tables/sums).
// NaN or infinity never passes.
Comparison compare_output(const std::vector<std::uint16_t>& y, const std::vector<double>& reference,
                          std::int64_t k, bool fp16_accumulation);
// The same rule for outputs already read back as doubles (the baselines' output(); fp32 outputs
// are held to the same bound, which their extra precision only makes easier).
Comparison compare_values(const std::vector<double>& y, const std::vector<double>& reference,
                          std::int64_t k, bool fp16_accumulation);

} // namespace lutgemm::search
