// cuBLASLt fp16 GEMM, tuned: cublasLtMatmulAlgoGetHeuristic proposes its top candidates for this
// exact problem; each is timed (CUDA events, a short fixed schedule) while preparing and the
// fastest is kept. This is the strongest fair fp16 baseline ("tuned cuBLAS").
#include "baselines/cublas_check.hpp"
#include "baselines/cublas_handle.hpp"
#include "baselines/cublas_providers.hpp"
#include "baselines/provider_util.hpp"
#include "cuda/event.hpp"
#include "cuda/event_sampling.hpp"

#include <fmt/format.h>

#include <array>
#include <limits>

namespace lutgemm::baselines {
namespace {

using cuda::DeviceBuffer;

constexpr int kHeuristicCandidates = 8;
constexpr std::size_t kWorkspaceBytes = 32u << 20;
constexpr int kSelectionWarmup = 3;
constexpr int kSelectionSamples = 15;

template <class T>
void set_attribute(cublasLtMatmulDesc_t desc, cublasLtMatmulDescAttributes_t a, const T& value) {
  LUTGEMM_CUBLAS(cublasLtMatmulDescSetAttribute(desc, a, &value, sizeof value));
}

// RAII for the descriptors (destroyed in reverse order of creation).
struct LtDescriptors {
  cublasLtMatmulDesc_t op = nullptr;
  cublasLtMatrixLayout_t a = nullptr, b = nullptr, c = nullptr;
  cublasLtMatmulPreference_t preference = nullptr;
  LtDescriptors() = default;
  LtDescriptors(const LtDescriptors&) = delete;
  LtDescriptors& operator=(const LtDescriptors&) = delete;
  ~LtDescriptors() {
    if (preference)
      LUTGEMM_CUBLAS_NOTHROW(cublasLtMatmulPreferenceDestroy(preference));
    if (c)
      LUTGEMM_CUBLAS_NOTHROW(cublasLtMatrixLayoutDestroy(c));
    if (b)
      LUTGEMM_CUBLAS_NOTHROW(cublasLtMatrixLayoutDestroy(b));
    if (a)
      LUTGEMM_CUBLAS_NOTHROW(cublasLtMatrixLayoutDestroy(a));
    if (op)
      LUTGEMM_CUBLAS_NOTHROW(cublasLtMatmulDescDestroy(op));
  }
};

class LtPrepared final : public PreparedBaseline {
public:
  LtPrepared(const BaselineInputs& in, const PrepareOptions& options) : problem_(in.problem) {
    detail::check_input_sizes(in);
    w_ = detail::device_copies(in.w_fp16.data(), in.w_fp16.size() * 2, options);
    x_ = cuda::make_device_buffer(in.x_fp16);
    y_ = DeviceBuffer(static_cast<std::size_t>(problem_.m * problem_.batch) * 2);
    workspace_ = DeviceBuffer(kWorkspaceBytes);

    const auto m = static_cast<std::uint64_t>(problem_.m);
    const auto n = static_cast<std::uint64_t>(problem_.batch);
    const auto k = static_cast<std::uint64_t>(problem_.k);
    LUTGEMM_CUBLAS(cublasLtMatmulDescCreate(&d_.op, CUBLAS_COMPUTE_32F, CUDA_R_32F));
    set_attribute(d_.op, CUBLASLT_MATMUL_DESC_TRANSA, CUBLAS_OP_T);
    set_attribute(d_.op, CUBLASLT_MATMUL_DESC_TRANSB, CUBLAS_OP_N);
    // Column-major view: A = W^T stored k x m (ld k), B = x k x n (ld k), C = D = y m x n (ld m).
    LUTGEMM_CUBLAS(cublasLtMatrixLayoutCreate(&d_.a, CUDA_R_16F, k, m, std::int64_t(k)));
    LUTGEMM_CUBLAS(cublasLtMatrixLayoutCreate(&d_.b, CUDA_R_16F, k, n, std::int64_t(k)));
    LUTGEMM_CUBLAS(cublasLtMatrixLayoutCreate(&d_.c, CUDA_R_16F, m, n, std::int64_t(m)));
    LUTGEMM_CUBLAS(cublasLtMatmulPreferenceCreate(&d_.preference));
    const std::uint64_t workspace = kWorkspaceBytes;
    LUTGEMM_CUBLAS(cublasLtMatmulPreferenceSetAttribute(
        d_.preference, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES, &workspace, sizeof workspace));

    std::array<cublasLtMatmulHeuristicResult_t, kHeuristicCandidates> candidates{};
    int returned = 0;
    LUTGEMM_CUBLAS(cublasLtMatmulAlgoGetHeuristic(lt_.get(), d_.op, d_.a, d_.b, d_.c, d_.c,
                                                  d_.preference, kHeuristicCandidates,
                                                  candidates.data(), &returned));
    if (returned <= 0)
      throw RuntimeError(fmt::format("cuBLASLt proposes no algorithm for {}", to_string(problem_)));
    select(candidates.data(), returned);
  }

  void enqueue(int iteration, CUstream stream) override {
    run_algo(algo_, w_[static_cast<std::size_t>(iteration) % w_.size()], stream);
  }

  std::vector<double> output() override {
    return detail::halves_to_doubles(
        y_.download_as<std::uint16_t>(static_cast<std::size_t>(problem_.m * problem_.batch)));
  }

  std::string config() const override { return config_; }
  std::int64_t bytes_moved() const override {
    return 2 *
           (problem_.m * problem_.k + problem_.k * problem_.batch + problem_.m * problem_.batch);
  }

private:
  void run_algo(const cublasLtMatmulAlgo_t& algo, const DeviceBuffer& w, CUstream stream) {
    const float one = 1.0f, zero = 0.0f;
    LUTGEMM_CUBLAS(cublasLtMatmul(
        lt_.get(), d_.op, &one, reinterpret_cast<const void*>(w.ptr()), d_.a,
        reinterpret_cast<const void*>(x_.ptr()), d_.b, &zero,
        reinterpret_cast<const void*>(y_.ptr()), d_.c, reinterpret_cast<void*>(y_.ptr()), d_.c,
        &algo, reinterpret_cast<void*>(workspace_.ptr()), kWorkspaceBytes, stream));
  }

  // Times each candidate with a short fixed schedule and keeps the fastest (median).
  void select(const cublasLtMatmulHeuristicResult_t* candidates, int count) {
    cuda::Stream stream;
    double best_ms = std::numeric_limits<double>::infinity();
    int best = -1, usable = 0;
    // A fixed schedule per candidate: untimed warm-up, then one run per event pair, each on the
    // next weight copy.
    cuda::EventSampling how;
    how.warmup = kSelectionWarmup;
    how.size_from_warmup = false;
    for (int c = 0; c < count; ++c) {
      if (candidates[c].state != CUBLAS_STATUS_SUCCESS)
        continue;
      std::vector<double> samples;
      try {
        const auto sampled = cuda::sample_with_events(
            stream.get(), how,
            [&](std::size_t i, CUstream s) { run_algo(candidates[c].algo, w_[i % w_.size()], s); },
            [](const cuda::SamplingProgress& p) {
              return p.us.size() < static_cast<std::size_t>(kSelectionSamples);
            });
        for (double us : sampled.us)
          samples.push_back(us / 1000.0);
      } catch (const CublasError&) {
        continue; // a candidate the library proposed but cannot run here: skip it
      }
      ++usable;
      const double ms = median(samples);
      if (ms < best_ms) {
        best_ms = ms;
        best = c;
      }
    }
    if (best < 0)
      throw RuntimeError(
          fmt::format("none of the {} cuBLASLt candidates for {} ran", count, to_string(problem_)));
    algo_ = candidates[best].algo;
    config_ = fmt::format("cuBLASLt heuristic candidate {} of {} (timed {}; {:.4f} ms median "
                          "while selecting), workspace {} MiB",
                          best + 1, count, usable, best_ms, kWorkspaceBytes >> 20);
  }

  Problem problem_;
  CublasLtHandle lt_;
  LtDescriptors d_;
  std::vector<DeviceBuffer> w_;
  DeviceBuffer x_, y_, workspace_;
  cublasLtMatmulAlgo_t algo_{};
  std::string config_;
};

class LtProvider final : public Provider {
public:
  std::string name() const override { return "cublaslt_fp16_tuned"; }
  std::string description() const override {
    return "cuBLASLt fp16, fp32 accumulation, fastest of the heuristic's top candidates";
  }
  std::optional<std::string> unsupported_reason(const Problem& problem) const override {
    return cublas_common_reason(problem);
  }
  std::unique_ptr<PreparedBaseline> prepare(const BaselineInputs& inputs,
                                            const PrepareOptions& options) const override {
    detail::require_supported(*this, inputs.problem);
    return std::make_unique<LtPrepared>(inputs, options);
  }
};

} // namespace

std::unique_ptr<Provider> make_cublaslt_tuned() {
  return std::make_unique<LtProvider>();
}

} // namespace lutgemm::baselines
