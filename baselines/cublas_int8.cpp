// cublasGemmEx int8 x int8 -> int32: Table 1's INT8 row. Weights are quantized per row and
// activations per column (symmetric, scale = max|v| / 127) on the host; the scales are applied
// when the output is read back, so the timed operation is the integer GEMM alone.
#include "baselines/cublas_api.hpp"
#include "baselines/cublas_check.hpp"
#include "baselines/cublas_handle.hpp"
#include "baselines/cublas_providers.hpp"
#include "baselines/fp16_bits.hpp"
#include "baselines/provider_util.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace lutgemm::baselines {
namespace {

using cuda::DeviceBuffer;

// Symmetric int8 quantization of `count` rows of `length` fp16 values; returns the scales.
std::vector<double> quantize_rows(const std::vector<std::uint16_t>& values, std::int64_t rows,
                                  std::int64_t length, std::vector<std::int8_t>& out) {
  out.resize(values.size());
  std::vector<double> scales(static_cast<std::size_t>(rows));
  for (std::int64_t r = 0; r < rows; ++r) {
    double max_abs = 0.0;
    for (std::int64_t i = 0; i < length; ++i)
      max_abs = std::max(max_abs, std::fabs(double(detail::from_fp16(values[r * length + i]))));
    const double scale = max_abs > 0.0 ? max_abs / 127.0 : 1.0;
    scales[r] = scale;
    for (std::int64_t i = 0; i < length; ++i) {
      const double q = std::nearbyint(double(detail::from_fp16(values[r * length + i])) / scale);
      out[r * length + i] = static_cast<std::int8_t>(std::clamp(q, -127.0, 127.0));
    }
  }
  return scales;
}

class Int8Prepared final : public PreparedBaseline {
public:
  Int8Prepared(const BaselineInputs& in, const PrepareOptions& options) : problem_(in.problem) {
    detail::check_input_sizes(in);
    std::vector<std::int8_t> w, x;
    w_scale_ = quantize_rows(in.w_fp16, problem_.m, problem_.k, w);
    x_scale_ = quantize_rows(in.x_fp16, problem_.batch, problem_.k, x);
    w_ = detail::device_copies(w.data(), w.size(), options);
    x_ = cuda::make_device_buffer(x);
    y_ = DeviceBuffer(static_cast<std::size_t>(problem_.m * problem_.batch) * 4);
  }

  void enqueue(int iteration, CUstream stream) override {
    LUTGEMM_CUBLAS(cublas_api().set_stream(handle_.get(), stream));
    const DeviceBuffer& w = w_[static_cast<std::size_t>(iteration) % w_.size()];
    const int m = int(problem_.m), n = problem_.batch, k = int(problem_.k);
    const std::int32_t one = 1, zero = 0;
    LUTGEMM_CUBLAS(cublas_api().gemm_ex(handle_.get(), CUBLAS_OP_T, CUBLAS_OP_N, m, n, k, &one,
                                        reinterpret_cast<const void*>(w.ptr()), CUDA_R_8I, k,
                                        reinterpret_cast<const void*>(x_.ptr()), CUDA_R_8I, k,
                                        &zero, reinterpret_cast<void*>(y_.ptr()), CUDA_R_32I, m,
                                        CUBLAS_COMPUTE_32I, CUBLAS_GEMM_DEFAULT));
  }

  std::vector<double> output() override {
    const auto acc =
        y_.download_as<std::int32_t>(static_cast<std::size_t>(problem_.m * problem_.batch));
    std::vector<double> y(acc.size());
    for (std::int64_t b = 0; b < problem_.batch; ++b)
      for (std::int64_t m = 0; m < problem_.m; ++m)
        y[b * problem_.m + m] = double(acc[b * problem_.m + m]) * w_scale_[m] * x_scale_[b];
    return y;
  }

  std::string config() const override {
    return "cublasGemmEx CUDA_R_8I x CUDA_R_8I -> CUDA_R_32I, CUBLAS_COMPUTE_32I";
  }
  std::int64_t bytes_moved() const override {
    return problem_.m * problem_.k + problem_.k * problem_.batch + 4 * problem_.m * problem_.batch;
  }

private:
  Problem problem_;
  CublasHandle handle_;
  std::vector<double> w_scale_, x_scale_;
  std::vector<DeviceBuffer> w_;
  DeviceBuffer x_, y_;
};

class Int8Provider final : public Provider {
public:
  std::string name() const override { return "cublas_int8"; }
  std::string description() const override {
    return "cuBLAS GemmEx int8 weights and activations, int32 output";
  }
  std::optional<std::string> unsupported_reason(const Problem& problem) const override {
    if (auto reason = cublas_common_reason(problem))
      return reason;
    // cuBLAS's integer GEMM wants leading dimensions that are multiples of 4; K always is (a
    // multiple of 32), M is the output's leading dimension.
    if (problem.m % 4 != 0)
      return fmt::format("int8 GEMM needs M to be a multiple of 4 (the int32 output's leading "
                         "dimension), got M = {}",
                         problem.m);
    return std::nullopt;
  }
  std::unique_ptr<PreparedBaseline> prepare(const BaselineInputs& inputs,
                                            const PrepareOptions& options) const override {
    detail::require_supported(*this, inputs.problem);
    return std::make_unique<Int8Prepared>(inputs, options);
  }
};

} // namespace

std::unique_ptr<Provider> make_cublas_int8() {
  return std::make_unique<Int8Provider>();
}

} // namespace lutgemm::baselines
