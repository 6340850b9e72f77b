#include "baselines/optq_providers.hpp"

#include "baselines/cublas_api.hpp"
#include "baselines/cublas_check.hpp"
#include "baselines/cublas_handle.hpp"
#include "baselines/cublas_providers.hpp"
#include "baselines/fp16_bits.hpp"
#include "baselines/provider_util.hpp"
#include "common/error.hpp"
#include "cuda/loaded_plan.hpp"
#include "cuda/memory.hpp"
#include "cuda/plan_launch.hpp"
#include "kernels/optq_params.hpp"
#include "quant/packed_gptq.hpp"

#include <fmt/format.h>

#include <memory>

namespace lutgemm::baselines {

std::optional<std::string> optq_common_reason(const Problem& problem) {
  if (auto reason = cublas_common_reason(problem))
    return reason;
  if (problem.bits != 3 && problem.bits != 4)
    return fmt::format("the OPTQ kernels pack 3- or 4-bit weights, not {}-bit", problem.bits);
  if (!problem.has_offset)
    return std::string("the OPTQ format is uniform with a zero point (has_offset must be true)");
  return std::nullopt;
}

namespace {

using cuda::DeviceBuffer;

// The OPTQ family's shipped variant for this problem (kernels/optq.cuh through
// tuner/kernels/optq_params.hpp): the baseline is the kernel as it ships, not a tuned one
// (`lutgemm tune --kernel optq` tunes it).
OptqParams baseline_params(bool fused, const Problem& problem) {
  return default_optq_params(fused ? OptqKind::gemv : OptqKind::dequant, problem.bits,
                             problem.batch);
}

// One copy of the packed layer on the device; the timed repetitions rotate through several so
// that a repetition does not find its weights in L2 (PrepareOptions).
struct DeviceGptq {
  DeviceBuffer qweight, scales, zeros;
};

class OptqPrepared final : public PreparedBaseline {
public:
  OptqPrepared(const BaselineInputs& in, const PrepareOptions& options, bool fused)
      : problem_(in.problem), fused_(fused),
        plan_(make_launch_plan(problem_, baseline_params(fused, problem_))), loaded_(plan_) {
    detail::check_input_sizes(in);
    if (in.gptq == nullptr)
      throw UsageError("the OPTQ baselines need the GPTQ-packed layer (BaselineInputs::gptq)");
    const PackedGptq& w = *in.gptq;
    if (w.m != problem_.m || w.k != problem_.k || w.bits != problem_.bits ||
        w.group != problem_.group_size())
      throw UsageError(fmt::format("the GPTQ-packed layer ({}x{} q{} g{}) is not the problem's {}",
                                   w.m, w.k, w.bits, w.group, to_string(problem_)));
    const std::size_t bytes_per_copy =
        w.qweight.size() * 4 + w.scales.size() * 2 + w.zeros.size() * 2;
    const int copies = detail::rotation_copies(options, bytes_per_copy);
    for (int i = 0; i < copies; ++i)
      weights_.push_back({cuda::make_device_buffer(w.qweight), cuda::make_device_buffer(w.scales),
                          cuda::make_device_buffer(w.zeros)});
    x_ = cuda::make_device_buffer(in.x_fp16);
    y_ = DeviceBuffer(static_cast<std::size_t>(problem_.m * problem_.batch) * 2);
    if (plan_.workspace_bytes > 0)
      workspace_ = DeviceBuffer(static_cast<std::size_t>(plan_.workspace_bytes));
    if (!fused_) {
      w_fp16_ = DeviceBuffer(static_cast<std::size_t>(problem_.m * problem_.k) * 2);
      try {
        handle_ = std::make_unique<CublasHandle>();
      } catch (const CublasError& e) {
        throw RuntimeError(fmt::format(
            "cuBLAS could not start for the OPTQ dequantize-then-GEMM baseline: {}", e.what()));
      }
    }
  }

  void enqueue(int iteration, CUstream stream) override {
    const DeviceGptq& w = weights_[static_cast<std::size_t>(iteration) % weights_.size()];
    cuda::BufferBindings buffers = {{"qweight", w.qweight.ptr()},
                                    {"scales", w.scales.ptr()},
                                    {"zeros", w.zeros.ptr()},
                                    {"x", x_.ptr()},
                                    {"y", y_.ptr()}};
    if (workspace_.bytes() > 0)
      buffers["workspace"] = workspace_.ptr();
    if (!fused_)
      buffers["w_fp16"] = w_fp16_.ptr();
    cuda::enqueue_plan(plan_, loaded_.functions(), buffers, stream);
    if (!fused_)
      enqueue_gemm(stream);
  }

  std::vector<double> output() override {
    return detail::halves_to_doubles(
        y_.download_as<std::uint16_t>(static_cast<std::size_t>(problem_.m * problem_.batch)));
  }

  std::string config() const override {
    const std::string label = optq_label(problem_, baseline_params(fused_, problem_));
    return fused_ ? label : label + " + cublasGemmEx CUBLAS_COMPUTE_32F CUBLAS_GEMM_DEFAULT";
  }

  std::int64_t bytes_moved() const override {
    // The packed weights, scales and zeros, x and y; the dequantized W (written, then read by the
    // GEMM) is the overhead the fused kernel avoids, so it is not part of the floor.
    const std::int64_t groups = problem_.k / problem_.group_size();
    return problem_.m * problem_.k * problem_.bits / 8 + 2 * 2 * groups * problem_.m +
           2 * (problem_.k * problem_.batch + problem_.m * problem_.batch);
  }

private:
  // y (m x n) = W (m x k) * x (k x n), column-major: the dequantize kernel writes W as fp16
  // [k][m], i.e. column-major m x k with ld m; x is k x n (ld k); y is m x n (ld m).
  void enqueue_gemm(CUstream stream) {
    LUTGEMM_CUBLAS(cublas_api().set_stream(handle_->get(), stream));
    const int m = int(problem_.m), n = problem_.batch, k = int(problem_.k);
    const float one = 1.0f, zero = 0.0f;
    LUTGEMM_CUBLAS(cublas_api().gemm_ex(handle_->get(), CUBLAS_OP_N, CUBLAS_OP_N, m, n, k, &one,
                                        reinterpret_cast<const void*>(w_fp16_.ptr()), CUDA_R_16F, m,
                                        reinterpret_cast<const void*>(x_.ptr()), CUDA_R_16F, k,
                                        &zero, reinterpret_cast<void*>(y_.ptr()), CUDA_R_16F, m,
                                        CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT));
  }

  Problem problem_;
  bool fused_;
  LaunchPlan plan_;
  cuda::LoadedPlan loaded_;
  std::vector<DeviceGptq> weights_;
  DeviceBuffer x_, y_, workspace_, w_fp16_;
  std::unique_ptr<CublasHandle> handle_; // dequantize + GEMM only
};

class OptqProvider final : public Provider {
public:
  explicit OptqProvider(bool fused) : fused_(fused) {}
  std::string name() const override { return fused_ ? "optq_fused_gemv" : "optq_dequant_gemm"; }
  std::string description() const override {
    return fused_ ? "OPTQ-style fused dequantize-GEMV (3 and 4 bits; kernels/optq.cuh)"
                  : "OPTQ-style dequantize to fp16 (kernels/optq.cuh), then cuBLAS GemmEx (timed "
                    "together)";
  }
  std::optional<std::string> unsupported_reason(const Problem& problem) const override {
    if (auto reason = optq_common_reason(problem))
      return reason;
    return check(problem, baseline_params(fused_, problem));
  }
  std::unique_ptr<PreparedBaseline> prepare(const BaselineInputs& inputs,
                                            const PrepareOptions& options) const override {
    detail::require_supported(*this, inputs.problem);
    return std::make_unique<OptqPrepared>(inputs, options, fused_);
  }

private:
  bool fused_;
};

} // namespace

std::unique_ptr<Provider> make_optq_dequant_gemm() {
  return std::make_unique<OptqProvider>(false);
}
std::unique_ptr<Provider> make_optq_fused_gemv() {
  return std::make_unique<OptqProvider>(true);
}

} // namespace lutgemm::baselines
