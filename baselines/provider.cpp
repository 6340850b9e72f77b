#include "baselines/provider.hpp"

#include "baselines/cublas_providers.hpp"
#include "baselines/fp16_bits.hpp"
#include "baselines/optq_providers.hpp"
#include "baselines/provider_util.hpp"
#include "cuda/driver_api.hpp"
#include "measure/timing_plan.hpp"

#include <fmt/format.h>

#include <cmath>
#include <random>

namespace lutgemm::baselines {

std::vector<std::unique_ptr<Provider>> all_providers() {
  std::vector<std::unique_ptr<Provider>> providers;
  providers.push_back(make_cublas_fp16(/*accumulate_fp16=*/true));
  providers.push_back(make_cublas_fp16(/*accumulate_fp16=*/false));
  providers.push_back(make_cublaslt_tuned());
  providers.push_back(make_cublas_fp32());
  providers.push_back(make_cublas_int8());
  providers.push_back(make_optq_dequant_gemm());
  providers.push_back(make_optq_fused_gemv());
  return providers;
}

std::vector<std::string> provider_names() {
  std::vector<std::string> names;
  for (const auto& provider : all_providers())
    names.push_back(provider->name());
  return names;
}

std::unique_ptr<Provider> make_provider(std::string_view name) {
  for (auto& provider : all_providers())
    if (provider->name() == name)
      return std::move(provider);
  throw UsageError(
      fmt::format("unknown baseline '{}' (known: {})", name, fmt::join(provider_names(), ", ")));
}

std::vector<std::string> parse_provider_list(std::string_view text) {
  if (text == "all")
    return provider_names();
  if (text == "none")
    return {};
  std::vector<std::string> names;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t comma = std::min(text.find(',', start), text.size());
    const std::string_view item = text.substr(start, comma - start);
    if (item.empty())
      throw UsageError(fmt::format("empty name in baseline list '{}' (use all, none or a "
                                   "comma-separated list of: {})",
                                   text, fmt::join(provider_names(), ", ")));
    (void)make_provider(item); // validates the name
    names.emplace_back(item);
    start = comma + 1;
  }
  return names;
}

BaselineInputs make_random_inputs(const Problem& problem, std::uint64_t seed) {
  validate(problem);
  BaselineInputs inputs;
  inputs.problem = problem;
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::uniform_real_distribution<float> magnitude(0.25f, 1.0f);
  inputs.w_fp16.resize(static_cast<std::size_t>(problem.m * problem.k));
  for (auto& w : inputs.w_fp16)
    w = detail::to_fp16(normal(rng));
  inputs.x_fp16.resize(static_cast<std::size_t>(problem.k * problem.batch));
  for (auto& x : inputs.x_fp16)
    x = detail::to_fp16((rng() & 1) ? magnitude(rng) : -magnitude(rng));
  return inputs;
}

BaselineResult run(const Provider& provider, const BaselineInputs& inputs, OperationTimer& timer,
                   const PrepareOptions& options) {
  auto prepared = provider.prepare(inputs, options);
  BaselineResult result;
  result.provider = provider.name();
  result.config = prepared->config();
  result.timing =
      timer.time([&](int iteration, CUstream stream) { prepared->enqueue(iteration, stream); });
  result.median_ms = median(result.timing.ms);
  if (result.median_ms > 0.0)
    result.gb_per_s = double(prepared->bytes_moved()) / (result.median_ms * 1e-3) / 1e9;
  // The output of a fresh run on the default stream, so it reflects weight copy 0.
  prepared->enqueue(0, nullptr);
  result.output = prepared->output();
  return result;
}

namespace detail {

void check_input_sizes(const BaselineInputs& in) {
  const Problem& p = in.problem;
  const auto w_expected = static_cast<std::size_t>(p.m * p.k);
  const auto x_expected = static_cast<std::size_t>(p.k * p.batch);
  if (in.w_fp16.size() != w_expected || in.x_fp16.size() != x_expected)
    throw UsageError(fmt::format("baseline inputs for {} need {} weights and {} activations, got "
                                 "{} and {}",
                                 to_string(p), w_expected, x_expected, in.w_fp16.size(),
                                 in.x_fp16.size()));
}

void require_supported(const Provider& provider, const Problem& problem) {
  if (auto reason = provider.unsupported_reason(problem))
    throw UsageError(
        fmt::format("{} does not support {}: {}", provider.name(), to_string(problem), *reason));
}

int rotation_copies(const PrepareOptions& options, std::size_t bytes_per_copy) {
  if (options.cold_l2_bytes <= 0)
    return std::max(1, options.weight_copies);
  const auto plan = measure::plan_cold_l2(static_cast<std::int64_t>(bytes_per_copy),
                                          options.cold_l2_bytes, std::int64_t{4} << 30);
  return plan.flush ? 1 : plan.copies;
}

std::vector<cuda::DeviceBuffer> device_copies(const void* host, std::size_t bytes,
                                              const PrepareOptions& options) {
  std::vector<cuda::DeviceBuffer> out;
  const int copies = rotation_copies(options, bytes);
  for (int i = 0; i < copies; ++i) {
    out.emplace_back(bytes);
    out.back().upload(host, bytes);
  }
  return out;
}

std::vector<double> halves_to_doubles(const std::vector<std::uint16_t>& bits) {
  std::vector<double> out(bits.size());
  for (std::size_t i = 0; i < bits.size(); ++i)
    out[i] = from_fp16(bits[i]);
  return out;
}

} // namespace detail
} // namespace lutgemm::baselines
