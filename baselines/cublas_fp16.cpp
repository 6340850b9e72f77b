// cublasGemmEx fp16 (fp32 or fp16 accumulation) and cublasSgemm fp32 providers.
#include "baselines/cublas_api.hpp"
#include "baselines/cublas_check.hpp"
#include "baselines/cublas_handle.hpp"
#include "baselines/cublas_providers.hpp"
#include "baselines/fp16_bits.hpp"
#include "baselines/provider_util.hpp"
#include "cuda/memory.hpp"

#include <fmt/format.h>

#include <climits>

namespace lutgemm::baselines {

std::optional<std::string> cublas_common_reason(const Problem& problem) {
  try {
    validate(problem);
  } catch (const UsageError& e) {
    return std::string(e.what());
  }
  if (problem.m > INT_MAX || problem.k > INT_MAX)
    return fmt::format("cuBLAS takes int dimensions; M = {} or K = {} exceeds {}", problem.m,
                       problem.k, INT_MAX);
  return std::nullopt;
}

namespace {

using cuda::DeviceBuffer;
using detail::device_copies;

// ---- fp16 GemmEx ------------------------------------------------------------------------------

class Fp16Prepared final : public PreparedBaseline {
public:
  Fp16Prepared(const BaselineInputs& in, const PrepareOptions& options, bool acc16)
      : problem_(in.problem), acc16_(acc16) {
    detail::check_input_sizes(in);
    w_ = device_copies(in.w_fp16.data(), in.w_fp16.size() * 2, options);
    x_ = cuda::make_device_buffer(in.x_fp16);
    y_ = DeviceBuffer(static_cast<std::size_t>(problem_.m * problem_.batch) * 2);
  }

  void enqueue(int iteration, CUstream stream) override {
    LUTGEMM_CUBLAS(cublas_api().set_stream(handle_.get(), stream));
    const DeviceBuffer& w = w_[static_cast<std::size_t>(iteration) % w_.size()];
    const int m = int(problem_.m), n = problem_.batch, k = int(problem_.k);
    // Column-major view: W^T is k x m (ld k), x is k x n (ld k), y is m x n (ld m). alpha and beta
    // are of the compute type: fp16 with fp16 accumulation, fp32 otherwise.
    const std::uint16_t one16 = detail::to_fp16(1.0f), zero16 = 0;
    const float one32 = 1.0f, zero32 = 0.0f;
    const void* one = acc16_ ? static_cast<const void*>(&one16) : &one32;
    const void* zero = acc16_ ? static_cast<const void*>(&zero16) : &zero32;
    LUTGEMM_CUBLAS(cublas_api().gemm_ex(handle_.get(), CUBLAS_OP_T, CUBLAS_OP_N, m, n, k, one,
                                        reinterpret_cast<const void*>(w.ptr()), CUDA_R_16F, k,
                                        reinterpret_cast<const void*>(x_.ptr()), CUDA_R_16F, k,
                                        zero, reinterpret_cast<void*>(y_.ptr()), CUDA_R_16F, m,
                                        acc16_ ? CUBLAS_COMPUTE_16F : CUBLAS_COMPUTE_32F,
                                        CUBLAS_GEMM_DEFAULT));
  }

  std::vector<double> output() override {
    return detail::halves_to_doubles(
        y_.download_as<std::uint16_t>(static_cast<std::size_t>(problem_.m * problem_.batch)));
  }

  std::string config() const override {
    return acc16_ ? "cublasGemmEx CUBLAS_COMPUTE_16F CUBLAS_GEMM_DEFAULT"
                  : "cublasGemmEx CUBLAS_COMPUTE_32F CUBLAS_GEMM_DEFAULT";
  }

  std::int64_t bytes_moved() const override {
    return 2 *
           (problem_.m * problem_.k + problem_.k * problem_.batch + problem_.m * problem_.batch);
  }

private:
  Problem problem_;
  bool acc16_;
  CublasHandle handle_;
  std::vector<DeviceBuffer> w_;
  DeviceBuffer x_, y_;
};

class Fp16Provider final : public Provider {
public:
  explicit Fp16Provider(bool acc16) : acc16_(acc16) {}
  std::string name() const override { return acc16_ ? "cublas_fp16_acc16" : "cublas_fp16_acc32"; }
  std::string description() const override {
    return acc16_ ? "cuBLAS GemmEx fp16, fp16 accumulation (the paper's setting)"
                  : "cuBLAS GemmEx fp16, fp32 accumulation";
  }
  std::optional<std::string> unsupported_reason(const Problem& problem) const override {
    return cublas_common_reason(problem);
  }
  std::unique_ptr<PreparedBaseline> prepare(const BaselineInputs& inputs,
                                            const PrepareOptions& options) const override {
    detail::require_supported(*this, inputs.problem);
    return std::make_unique<Fp16Prepared>(inputs, options, acc16_);
  }

private:
  bool acc16_;
};

// ---- fp32 SGEMM -------------------------------------------------------------------------------

class Fp32Prepared final : public PreparedBaseline {
public:
  Fp32Prepared(const BaselineInputs& in, const PrepareOptions& options) : problem_(in.problem) {
    detail::check_input_sizes(in);
    std::vector<float> w(in.w_fp16.size()), x(in.x_fp16.size());
    for (std::size_t i = 0; i < w.size(); ++i)
      w[i] = detail::from_fp16(in.w_fp16[i]);
    for (std::size_t i = 0; i < x.size(); ++i)
      x[i] = detail::from_fp16(in.x_fp16[i]);
    w_ = device_copies(w.data(), w.size() * 4, options);
    x_ = cuda::make_device_buffer(x);
    y_ = DeviceBuffer(static_cast<std::size_t>(problem_.m * problem_.batch) * 4);
  }

  void enqueue(int iteration, CUstream stream) override {
    LUTGEMM_CUBLAS(cublas_api().set_stream(handle_.get(), stream));
    const DeviceBuffer& w = w_[static_cast<std::size_t>(iteration) % w_.size()];
    const int m = int(problem_.m), n = problem_.batch, k = int(problem_.k);
    const float one = 1.0f, zero = 0.0f;
    LUTGEMM_CUBLAS(cublas_api().sgemm(handle_.get(), CUBLAS_OP_T, CUBLAS_OP_N, m, n, k, &one,
                                      reinterpret_cast<const float*>(w.ptr()), k,
                                      reinterpret_cast<const float*>(x_.ptr()), k, &zero,
                                      reinterpret_cast<float*>(y_.ptr()), m));
  }

  std::vector<double> output() override {
    const auto y = y_.download_as<float>(static_cast<std::size_t>(problem_.m * problem_.batch));
    return {y.begin(), y.end()};
  }

  std::string config() const override { return "cublasSgemm (default math mode)"; }
  std::int64_t bytes_moved() const override {
    return 4 *
           (problem_.m * problem_.k + problem_.k * problem_.batch + problem_.m * problem_.batch);
  }

private:
  Problem problem_;
  CublasHandle handle_;
  std::vector<DeviceBuffer> w_;
  DeviceBuffer x_, y_;
};

class Fp32Provider final : public Provider {
public:
  std::string name() const override { return "cublas_fp32"; }
  std::string description() const override { return "cuBLAS SGEMM on the fp32 layer"; }
  std::optional<std::string> unsupported_reason(const Problem& problem) const override {
    return cublas_common_reason(problem);
  }
  std::unique_ptr<PreparedBaseline> prepare(const BaselineInputs& inputs,
                                            const PrepareOptions& options) const override {
    detail::require_supported(*this, inputs.problem);
    return std::make_unique<Fp32Prepared>(inputs, options);
  }
};

} // namespace

std::unique_ptr<Provider> make_cublas_fp16(bool accumulate_fp16) {
  return std::make_unique<Fp16Provider>(accumulate_fp16);
}

std::unique_ptr<Provider> make_cublas_fp32() {
  return std::make_unique<Fp32Provider>();
}

} // namespace lutgemm::baselines
