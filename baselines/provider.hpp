#pragma once
// Baselines as providers: one interface for every reference implementation a LUT-GEMM variant is
// compared with (cuBLAS fp16 at fp32 and fp16 accumulation, tuned cuBLASLt, fp32 SGEMM, int8 GEMM,
// OPTQ-style dequantize-then-GEMM and fused GEMV). Each provider
//   - says whether it supports a problem, and why not (supports / unsupported_reason);
//   - prepares device state for one problem (prepare: uploads, handles, algorithm choice);
//   - enqueues one complete operation (PreparedBaseline::enqueue), which is what gets timed, by
//     the tuner's measurement rules through OperationTimer (baselines/timer.hpp);
//   - reads its output back as double [batch][m], so it can serve as a reference.
// Problem semantics follow tuner/quant/packed_bcq.hpp: y[b][m] = sum_k W[m][k] * x[b][k], W
// row-major [m][k], x fp16 [batch][k], y [batch][m].
//
// Everything that touches the device needs a current context (cuda::PrimaryContext). Without a
// driver or device, prepare() throws cuda::DriverUnavailable carrying the one-line reason.
#include "baselines/timer.hpp"
#include "problem/problem.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lutgemm {
struct PackedGptq; // tuner/quant/packed_gptq.hpp
}

namespace lutgemm::baselines {

struct BaselineInputs {
  Problem problem;
  std::vector<std::uint16_t> w_fp16; // fp16 bits [m][k]: the unquantized (or dequantized) layer
  std::vector<std::uint16_t> x_fp16; // fp16 bits [batch][k]
  const PackedGptq* gptq = nullptr;  // OPTQ providers: the same layer, GPTQ-packed
};

// Seeded random inputs: W ~ N(0, 1) and x = +-U(0.25, 1) (never zero), rounded to fp16.
BaselineInputs make_random_inputs(const Problem& problem, std::uint64_t seed);

struct PrepareOptions {
  // Copies of the weights to rotate through (repetition i uses copy i % copies), so that a timed
  // repetition does not find its weights in L2; the tuner's cold-L2 planning chooses the count.
  int weight_copies = 1;
  // When > 0, the count is planned instead from the L2 size and the bytes of the weights as the
  // provider stores them (int8 weights are half the fp16 bytes, so they need twice the copies).
  std::int64_t cold_l2_bytes = 0;
};

class PreparedBaseline {
public:
  virtual ~PreparedBaseline() = default;
  // One complete operation (every launch it needs, e.g. dequantize + GEMM), asynchronous.
  virtual void enqueue(int iteration, CUstream stream) = 0;
  // The last operation's output as double [batch][m]; synchronizes.
  virtual std::vector<double> output() = 0;
  // What was chosen while preparing (e.g. the cuBLASLt algorithm), "" when nothing.
  virtual std::string config() const { return {}; }
  // Bytes one operation must move at least (weights, activations, outputs): for GB/s figures.
  virtual std::int64_t bytes_moved() const = 0;
};

class Provider {
public:
  virtual ~Provider() = default;
  // Stable identifier, used on the command line and as the kernel family in the database.
  virtual std::string name() const = 0;
  virtual std::string description() const = 0;
  // Why this provider cannot run `problem`, or nullopt when it can. Needs no device.
  virtual std::optional<std::string> unsupported_reason(const Problem& problem) const = 0;
  bool supports(const Problem& problem) const { return !unsupported_reason(problem); }
  // Throws UsageError when unsupported, DriverUnavailable without a device, CublasError /
  // DriverError on a library failure.
  virtual std::unique_ptr<PreparedBaseline> prepare(const BaselineInputs& inputs,
                                                    const PrepareOptions& options) const = 0;
};

// Every provider, in a fixed order (the order of the report's columns).
std::vector<std::unique_ptr<Provider>> all_providers();
std::vector<std::string> provider_names();
// Throws UsageError naming the unknown provider and listing the known ones.
std::unique_ptr<Provider> make_provider(std::string_view name);
// "all", "none" or a comma-separated list of names -> names (UsageError on an unknown name).
std::vector<std::string> parse_provider_list(std::string_view text);

struct BaselineResult {
  std::string provider;
  std::string config;
  TimingSamples timing;
  double median_ms = 0.0;
  double gb_per_s = 0.0;      // bytes_moved / median
  std::vector<double> output; // [batch][m]
};

// prepare + time + read back. Throws like prepare().
BaselineResult run(const Provider& provider, const BaselineInputs& inputs, OperationTimer& timer,
                   const PrepareOptions& options = {});

} // namespace lutgemm::baselines
