#pragma once
// Helpers shared by the provider implementations.
#include "baselines/provider.hpp"
#include "cuda/memory.hpp"

#include <cstddef>
#include <vector>

namespace lutgemm::baselines::detail {

// Throws UsageError unless the inputs hold m*k weights and k*batch activations.
void check_input_sizes(const BaselineInputs& inputs);

// Throws UsageError "<provider> does not support <problem>: <reason>" when unsupported.
void require_supported(const Provider& provider, const Problem& problem);

// Copies of `bytes_per_copy` weights to rotate: options.weight_copies, or, with cold_l2_bytes set,
// enough that they add up to more than 2x L2 (within 4 GiB; 1 when they would not fit).
int rotation_copies(const PrepareOptions& options, std::size_t bytes_per_copy);

// rotation_copies(options, bytes) device copies of `bytes` of host data.
std::vector<cuda::DeviceBuffer> device_copies(const void* host, std::size_t bytes,
                                              const PrepareOptions& options);

// fp16 bit patterns -> doubles.
std::vector<double> halves_to_doubles(const std::vector<std::uint16_t>& bits);

} // namespace lutgemm::baselines::detail
