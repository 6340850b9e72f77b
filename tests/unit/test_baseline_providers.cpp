// Every baseline provider's supports() answer, the provider registry, the random inputs, the
// cuBLAS check family, and that preparing without a driver fails with the driver's one line.
#include "baselines/cublas_check.hpp"
#include "baselines/provider.hpp"
#include "baselines/timer.hpp"
#include "cuda/driver_api.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <set>

using namespace lutgemm;
using namespace lutgemm::baselines;

namespace {
const bool kForcedMissingDriver = [] {
  setenv("LUTGEMM_CUDA_DRIVER", "libcuda_lutgemm_test_missing.so.1", 1);
  return true;
}();

Problem problem(std::int64_t m, std::int64_t k, int batch, int bits, int group) {
  return Problem{.m = m, .k = k, .batch = batch, .bits = bits, .group = group};
}

bool contains(const std::optional<std::string>& text, const std::string& part) {
  return text && text->find(part) != std::string::npos;
}
} // namespace

TEST(Baselines, RegistryHasEveryProviderOnceWithStableNames) {
  const std::vector<std::string> expected = {
      "cublas_fp16_acc16", "cublas_fp16_acc32", "cublaslt_fp16_tuned", "cublas_fp32",
      "cublas_int8",       "optq_dequant_gemm", "optq_fused_gemv"};
  EXPECT_EQ(provider_names(), expected);
  for (const auto& name : expected) {
    auto provider = make_provider(name);
    EXPECT_EQ(provider->name(), name);
    EXPECT_FALSE(provider->description().empty());
  }
  try {
    (void)make_provider("cublas_fp64");
    FAIL();
  } catch (const UsageError& e) {
    EXPECT_NE(
        std::string(e.what()).find("unknown baseline 'cublas_fp64' (known: cublas_fp16_acc16"),
        std::string::npos)
        << e.what();
  }
}

TEST(Baselines, ProviderListParsing) {
  EXPECT_EQ(parse_provider_list("all"), provider_names());
  EXPECT_TRUE(parse_provider_list("none").empty());
  EXPECT_EQ(parse_provider_list("cublas_int8,cublas_fp32"),
            (std::vector<std::string>{"cublas_int8", "cublas_fp32"}));
  EXPECT_THROW(parse_provider_list("cublas_int8,,cublas_fp32"), UsageError);
  EXPECT_THROW(parse_provider_list("cublas_int9"), UsageError);
  EXPECT_THROW(parse_provider_list(""), UsageError);
}

TEST(Baselines, CublasProvidersSupportEveryValidProblem) {
  const std::vector<Problem> valid = {problem(49152, 12288, 1, 3, 128),
                                      problem(28672, 7168, 8, 4, kRowWise),
                                      problem(1000, 256, 32, 1, 32), problem(7, 64, 3, 8, 64)};
  for (const char* name :
       {"cublas_fp16_acc16", "cublas_fp16_acc32", "cublaslt_fp16_tuned", "cublas_fp32"}) {
    auto provider = make_provider(name);
    for (const Problem& p : valid)
      EXPECT_TRUE(provider->supports(p))
          << name << " " << to_string(p) << ": " << provider->unsupported_reason(p).value_or("");
  }
}

TEST(Baselines, InvalidProblemsAreRejectedByEveryProviderWithTheValidatorsReason) {
  const Problem bad_k = problem(64, 100, 1, 3, kRowWise); // K not a multiple of 32
  const Problem bad_batch = problem(64, 256, 33, 3, 128);
  for (const auto& provider : all_providers()) {
    EXPECT_FALSE(provider->supports(bad_k)) << provider->name();
    EXPECT_FALSE(provider->supports(bad_batch)) << provider->name();
    const auto reason = provider->unsupported_reason(bad_k);
    ASSERT_TRUE(reason.has_value());
    EXPECT_FALSE(reason->empty());
  }
}

TEST(Baselines, Int8NeedsMMultipleOfFour) {
  auto int8 = make_provider("cublas_int8");
  EXPECT_TRUE(int8->supports(problem(4096, 4096, 1, 3, 128)));
  EXPECT_TRUE(int8->supports(problem(4, 32, 1, 3, 32)));
  const auto reason = int8->unsupported_reason(problem(4098, 4096, 1, 3, 128));
  EXPECT_TRUE(contains(reason, "multiple of 4")) << reason.value_or("(supported)");
  EXPECT_TRUE(contains(reason, "4098"));
}

TEST(Baselines, OptqProvidersNeedThreeOrFourBits) {
  for (const char* name : {"optq_dequant_gemm", "optq_fused_gemv"}) {
    auto optq = make_provider(name);
    for (int bits : {1, 2, 5, 8}) {
      const auto reason = optq->unsupported_reason(problem(4096, 4096, 1, bits, 128));
      EXPECT_TRUE(contains(reason, "3- or 4-bit")) << name << " q" << bits;
    }
    Problem no_offset = problem(4096, 4096, 1, 3, 128);
    no_offset.has_offset = false;
    EXPECT_TRUE(contains(optq->unsupported_reason(no_offset), "zero point")) << name;
    // 3 and 4 bits with a zero point: the OPTQ family's shipped variant runs them.
    for (int bits : {3, 4})
      EXPECT_EQ(optq->unsupported_reason(problem(4096, 4096, 1, bits, 128)), std::nullopt) << name;
  }
}

TEST(Baselines, PrepareWithoutDriverFailsWithTheDriversOneLine) {
  ASSERT_TRUE(kForcedMissingDriver);
  const Problem p = problem(256, 512, 2, 3, 128);
  const BaselineInputs inputs = make_random_inputs(p, 7);
  for (const char* name : {"cublas_fp16_acc16", "cublas_fp16_acc32", "cublaslt_fp16_tuned",
                           "cublas_fp32", "cublas_int8", "optq_dequant_gemm", "optq_fused_gemv"}) {
    auto provider = make_provider(name);
    try {
      (void)provider->prepare(inputs, {});
      FAIL() << name << " prepared without a driver";
    } catch (const cuda::DriverUnavailable& e) {
      const std::string what = e.what();
      EXPECT_EQ(what.rfind("no CUDA driver (", 0), 0u) << what;
      EXPECT_EQ(what.find('\n'), std::string::npos);
    }
  }
}

TEST(Baselines, PrepareRejectsUnsupportedProblemsAndWrongInputSizesBeforeTouchingTheDevice) {
  auto int8 = make_provider("cublas_int8");
  BaselineInputs inputs = make_random_inputs(problem(6, 64, 1, 3, 32), 1);
  EXPECT_THROW((void)int8->prepare(inputs, {}), UsageError);
}

TEST(Baselines, RandomInputsHaveTheRightSizesNoZerosAndDependOnTheSeed) {
  const Problem p = problem(48, 96, 3, 3, 32);
  const BaselineInputs a = make_random_inputs(p, 11), b = make_random_inputs(p, 11),
                       c = make_random_inputs(p, 12);
  ASSERT_EQ(a.w_fp16.size(), 48u * 96u);
  ASSERT_EQ(a.x_fp16.size(), 96u * 3u);
  EXPECT_EQ(a.w_fp16, b.w_fp16);
  EXPECT_EQ(a.x_fp16, b.x_fp16);
  EXPECT_NE(a.w_fp16, c.w_fp16);
  for (std::uint16_t x : a.x_fp16) {
    EXPECT_NE(x & 0x7fff, 0) << "zero activation";
    // |x| in [0.25, 1]: fp16 exponent field between 13 (0.25) and 15 (1.0).
    const int exponent = (x >> 10) & 0x1f;
    EXPECT_GE(exponent, 13);
    EXPECT_LE(exponent, 15);
  }
  std::set<std::uint16_t> distinct(a.w_fp16.begin(), a.w_fp16.end());
  EXPECT_GT(distinct.size(), a.w_fp16.size() / 4);
  EXPECT_THROW(make_random_inputs(problem(0, 64, 1, 3, 32), 1), UsageError);
}

TEST(Baselines, CublasCheckFamilyFormatsWithoutAGpu) {
  const std::string text =
      format_cublas_error(CUBLAS_STATUS_NOT_SUPPORTED, "cublasGemmEx(h, ...)", __FILE__, 12);
  EXPECT_EQ(text.rfind("cublasGemmEx(h, ...) failed at tests/unit/test_baseline_providers.cpp:12: "
                       "CUBLAS_STATUS_NOT_SUPPORTED",
                       0),
            0u)
      << text;
  try {
    check_cublas(CUBLAS_STATUS_ALLOC_FAILED, "cublasCreate(&h)", __FILE__, 3);
    FAIL();
  } catch (const CublasError& e) {
    EXPECT_EQ(e.status(), CUBLAS_STATUS_ALLOC_FAILED);
    EXPECT_NE(std::string(e.what()).find("CUBLAS_STATUS_ALLOC_FAILED"), std::string::npos);
  }
  testing::internal::CaptureStderr();
  EXPECT_FALSE(
      check_cublas_nothrow(CUBLAS_STATUS_EXECUTION_FAILED, "cublasDestroy(h)", __FILE__, 4));
  EXPECT_NE(testing::internal::GetCapturedStderr().find("CUBLAS_STATUS_EXECUTION_FAILED"),
            std::string::npos);
}

TEST(Baselines, TimerStatistics) {
  EXPECT_DOUBLE_EQ(median({3.0, 1.0, 2.0}), 2.0);
  EXPECT_DOUBLE_EQ(median({4.0, 1.0, 3.0, 2.0}), 2.5);
  EXPECT_DOUBLE_EQ(median({}), 0.0);
  // values 1, 2, 3: mean 2, sample std-dev 1, standard error 1/sqrt(3), relative: 1/(2 sqrt 3).
  EXPECT_NEAR(relative_standard_error({1.0, 2.0, 3.0}), 1.0 / (2.0 * std::sqrt(3.0)), 1e-12);
  EXPECT_DOUBLE_EQ(relative_standard_error({5.0}), 0.0);
  EXPECT_DOUBLE_EQ(relative_standard_error({2.0, 2.0, 2.0}), 0.0);
}
