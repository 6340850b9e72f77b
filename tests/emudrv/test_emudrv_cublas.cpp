// The cuBLAS baselines on the emulated CUDA driver, whose cuBLAS is a stand-in computed on the host
// (tuner/emu_driver/emulated_cublas.cpp; picked by baselines/cublas_api.cpp because the driver
// exports it). The providers' calls (operands, transposes, leading dimensions, types, streams) and
// the timing path run end to end, and their outputs meet the tune's rule (search/baseline_check).
// The stand-in keeps cuBLAS's documented contract: checked here on calls the providers do not
// make (padded leading dimensions, beta != 0, both transposes) and on its refusals.
#include "baselines/cublas_api.hpp"
#include "baselines/provider.hpp"
#include "baselines/timer.hpp"
#include "common/half.hpp"
#include "cuda/context.hpp"
#include "cuda/memory.hpp"
#include "emulated_driver.hpp"
#include "quant/reference.hpp"
#include "search/baseline_check.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <random>

using namespace lutgemm;

namespace {

const bool kEmulatedDriver = emudrv::use_emulated_driver();

std::vector<std::uint16_t> random_halves(std::size_t count, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
  std::vector<std::uint16_t> v(count);
  for (auto& h : v)
    h = float_to_half(uniform(rng));
  return v;
}

} // namespace

TEST(EmuDriverCublas, TheCublasStandInIsTheOneInUse) {
  ASSERT_TRUE(kEmulatedDriver);
  cuda::PrimaryContext context(0);
  EXPECT_TRUE(baselines::cublas_api().emulated);
  EXPECT_NE(baselines::cublas_api().source.find("emucuda"), std::string::npos)
      << baselines::cublas_api().source;
}

TEST(EmuDriverCublas, EveryCublasProviderComputesWxThroughTheTimingPath) {
  ASSERT_TRUE(kEmulatedDriver);
  cuda::PrimaryContext context(0);
  const Problem problem{.m = 200, .k = 384, .batch = 3, .bits = 4, .group = 128};
  const auto inputs = baselines::make_random_inputs(problem, 11);
  search::BaselineChecker checker(inputs);
  std::vector<double> w(inputs.w_fp16.size());
  for (std::size_t i = 0; i < w.size(); ++i)
    w[i] = half_to_double(inputs.w_fp16[i]);
  const auto reference = reference_gemm(w, problem.m, problem.k, inputs.x_fp16, problem.batch);
  double scale = 0;
  for (double v : reference)
    scale = std::max(scale, std::fabs(v));
  for (const char* name :
       {"cublas_fp16_acc32", "cublas_fp16_acc16", "cublas_fp32", "cublas_int8"}) {
    SCOPED_TRACE(name);
    auto provider = baselines::make_provider(name);
    auto timer = emudrv::short_event_timer();
    baselines::PrepareOptions options;
    options.weight_copies = 2;
    const auto result = baselines::run(*provider, inputs, timer, options);
    EXPECT_EQ(result.timing.ms.size(), 3u);
    ASSERT_EQ(result.output.size(), reference.size());
    if (const auto check = checker.check(name, result.output)) {
      EXPECT_TRUE(check->ok) << result.config << ": " << check->message;
    } else { // int8 quantizes both operands (about 1% of the range): held to that
      double worst = 0;
      for (std::size_t i = 0; i < reference.size(); ++i)
        worst = std::max(worst, std::fabs(result.output[i] - reference[i]));
      EXPECT_LT(worst / scale, 0.05) << result.config;
      EXPECT_GT(worst, 0.0) << "int8 that matches fp16 exactly did not quantize";
    }
  }
}

TEST(EmuDriverCublas, CublasLtRefusesWithOneLineInsteadOfReachingARealGpu) {
  ASSERT_TRUE(kEmulatedDriver);
  cuda::PrimaryContext context(0);
  const Problem problem{.m = 64, .k = 128, .batch = 1, .bits = 4, .group = 128};
  emudrv::expect_prepare_refuses("cublaslt_fp16_tuned", baselines::make_random_inputs(problem, 3),
                                 "cuBLASLt cannot run on the emulated CUDA device");
}

// C (ldc 7, rows 5..6 of each column untouched) = 2 * A^T(lda 9) B^T(ldb 6) + 0.5 C, fp16 in and
// out, fp32 compute: every index rule of a column-major GEMM at once.
TEST(EmuDriverCublas, TheStandInKeepsCublasIndexingAndScaling) {
  ASSERT_TRUE(kEmulatedDriver);
  cuda::PrimaryContext context(0);
  const auto& api = baselines::cublas_api();
  const int m = 5, n = 4, k = 6, lda = 9, ldb = 6, ldc = 7;
  const auto a = random_halves(std::size_t(lda) * m, 1); // A^T stored k x m: column i is row i of A
  const auto b = random_halves(std::size_t(ldb) * k, 2); // B^T stored n x k
  const auto c0 = random_halves(std::size_t(ldc) * n, 3);
  auto da = cuda::make_device_buffer(a), db = cuda::make_device_buffer(b),
       dc = cuda::make_device_buffer(c0);
  cublasHandle_t handle = nullptr;
  ASSERT_EQ(api.create(&handle), CUBLAS_STATUS_SUCCESS);
  const float alpha = 2.0f, beta = 0.5f;
  ASSERT_EQ(api.gemm_ex(handle, CUBLAS_OP_T, CUBLAS_OP_T, m, n, k, &alpha,
                        reinterpret_cast<const void*>(da.ptr()), CUDA_R_16F, lda,
                        reinterpret_cast<const void*>(db.ptr()), CUDA_R_16F, ldb, &beta,
                        reinterpret_cast<void*>(dc.ptr()), CUDA_R_16F, ldc, CUBLAS_COMPUTE_32F,
                        CUBLAS_GEMM_DEFAULT),
            CUBLAS_STATUS_SUCCESS);
  const auto c = dc.download_as<std::uint16_t>(c0.size());
  for (int j = 0; j < n; ++j)
    for (int i = 0; i < ldc; ++i) {
      SCOPED_TRACE(::testing::Message() << "C(" << i << ", " << j << ")");
      const double got = half_to_double(c[std::size_t(i + j * ldc)]);
      const double old = half_to_double(c0[std::size_t(i + j * ldc)]);
      if (i >= m) {
        EXPECT_EQ(got, old) << "padding rows are not C's";
        continue;
      }
      double sum = 0;
      for (int l = 0; l < k; ++l)
        sum += half_to_double(a[std::size_t(l + i * lda)]) *
               half_to_double(b[std::size_t(j + l * ldb)]);
      EXPECT_NEAR(got, alpha * sum + beta * old, 4e-3 * (std::fabs(alpha * sum) + 1));
    }
  EXPECT_EQ(api.destroy(handle), CUBLAS_STATUS_SUCCESS);
}

TEST(EmuDriverCublas, TheStandInRefusesWhatCublasRefuses) {
  ASSERT_TRUE(kEmulatedDriver);
  cuda::PrimaryContext context(0);
  const auto& api = baselines::cublas_api();
  cublasHandle_t handle = nullptr;
  ASSERT_EQ(api.create(&handle), CUBLAS_STATUS_SUCCESS);
  cuda::DeviceBuffer buffer(64 * 64 * 4);
  const auto p = reinterpret_cast<float*>(buffer.ptr());
  const float one = 1, zero = 0;
  // lda below op(A)'s stored rows (k = 8 for a transposed A).
  EXPECT_EQ(api.sgemm(handle, CUBLAS_OP_T, CUBLAS_OP_N, 4, 2, 8, &one, p, 7, p, 8, &zero, p, 4),
            CUBLAS_STATUS_INVALID_VALUE);
  EXPECT_EQ(api.sgemm(handle, CUBLAS_OP_N, CUBLAS_OP_N, -1, 2, 8, &one, p, 8, p, 8, &zero, p, 8),
            CUBLAS_STATUS_INVALID_VALUE);
  // int8 in, fp16 out: not a combination cuBLAS's GemmEx has.
  EXPECT_EQ(api.gemm_ex(handle, CUBLAS_OP_N, CUBLAS_OP_N, 4, 2, 8, &one, p, CUDA_R_8I, 4, p,
                        CUDA_R_8I, 8, &zero, p, CUDA_R_16F, 4, CUBLAS_COMPUTE_32F,
                        CUBLAS_GEMM_DEFAULT),
            CUBLAS_STATUS_NOT_SUPPORTED);
  EXPECT_EQ(api.set_stream(nullptr, nullptr), CUBLAS_STATUS_NOT_INITIALIZED);
  EXPECT_EQ(api.destroy(handle), CUBLAS_STATUS_SUCCESS);
}

// An operand past its allocation faults, sticky, as a GPU does. Run in a child process (below), so
// that the fault does not poison the other tests' context; returns the child's exit code.
int sgemm_past_the_allocation() {
  cuda::PrimaryContext context(0);
  const auto& api = baselines::cublas_api();
  cublasHandle_t handle = nullptr;
  if (api.create(&handle) != CUBLAS_STATUS_SUCCESS)
    return 2;
  cuda::DeviceBuffer small(16 * 4);
  const auto p = reinterpret_cast<float*>(small.ptr());
  const float one = 1, zero = 0;
  // A is 16 x 16 (1 KiB) in a 64-byte allocation.
  if (api.sgemm(handle, CUBLAS_OP_N, CUBLAS_OP_N, 16, 1, 16, &one, p, 16, p, 16, &zero, p, 16) !=
      CUBLAS_STATUS_EXECUTION_FAILED)
    return 3;
  // Sticky: the next call on the device fails too, even one inside the allocation.
  if (api.sgemm(handle, CUBLAS_OP_N, CUBLAS_OP_N, 1, 1, 1, &one, p, 1, p, 1, &zero, p, 1) !=
      CUBLAS_STATUS_EXECUTION_FAILED)
    return 4;
  return 0;
}

TEST(EmuDriverCublasDeathTest, AnOperandPastItsAllocationIsAStickyFault) {
  ASSERT_TRUE(kEmulatedDriver);
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(std::exit(sgemm_past_the_allocation()), ::testing::ExitedWithCode(0),
              "operand A .* is not inside one allocation");
}
