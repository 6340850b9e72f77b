#pragma once
// Seeded test data. The same seed gives the same values on every platform and thread count:
// a per-row std::mt19937_64 seeded from (seed, row) and a hand-written Box-Muller transform
// (std::normal_distribution's algorithm is left to each standard library).
#include <cstdint>
#include <vector>

namespace lutgemm {

// Gaussian weights N(0, stddev^2), float [m][k].
std::vector<float> gaussian_weights(std::int64_t m, std::int64_t k, std::uint64_t seed,
                                    float stddev = 1.0f);

// fp16 activations [batch][k], N(0, 1) rounded to fp16 and never zero (|x| >= 2^-8: values that
// would be smaller are drawn again), so every weight contributes to a kernel's output.
std::vector<std::uint16_t> random_activations(int batch, std::int64_t k, std::uint64_t seed);

} // namespace lutgemm
