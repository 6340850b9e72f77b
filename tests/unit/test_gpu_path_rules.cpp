// Host-side rules of the CUDA path that decide what a GPU run does (issue 14's defects): the
// shared-memory opt-in counts static shared memory, baselines size their cold-weight rotation from
// the bytes they store, a timing sample spans many rotated launches, and the preflight refuses a
// setup that cannot work before anything touches the device, and leaders are re-measured with
// the sweep's cold weights.
#include "backend/backend.hpp"
#include "baselines/provider_util.hpp"
#include "common/error.hpp"
#include "cuda/module.hpp"
#include "cuda/preflight.hpp"
#include "measure/timing_loop.hpp"
#include "search/variant_evaluator.hpp"
#include "space/families.hpp"
#include "space/search_space.hpp"
#include "store/sqlite.hpp"
#include "store/store.hpp"
#include "targets/gpu_spec.hpp"

#include <cuda.h>
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <unistd.h>

using namespace lutgemm;

TEST(SmemOptIn, StaticSharedMemoryCountsTowardsThe48KiBDefault) {
  // 16 KiB static + 40 KiB dynamic = 56 KiB: the launch fails without the opt-in although the
  // dynamic part alone is under 48 KiB.
  EXPECT_TRUE(cuda::needs_dynamic_smem_opt_in(16 * 1024, 40 * 1024));
  EXPECT_FALSE(cuda::needs_dynamic_smem_opt_in(16 * 1024, 32 * 1024));
  EXPECT_TRUE(cuda::needs_dynamic_smem_opt_in(0, 48 * 1024 + 1));
  EXPECT_FALSE(cuda::needs_dynamic_smem_opt_in(0, 48 * 1024));
  EXPECT_FALSE(cuda::needs_dynamic_smem_opt_in(60 * 1024, 0)); // static alone: nothing to raise
}

TEST(ColdRotation, EachProviderRotatesPastTwiceL2WithItsOwnWeightBytes) {
  const std::int64_t l2 = 50 << 20, m = 4096, k = 4096;
  baselines::PrepareOptions options;
  options.weight_copies = 4; // what the fp16 bytes call for (4 x 32 MiB > 100 MiB)
  options.cold_l2_bytes = l2;
  const int fp16 = baselines::detail::rotation_copies(options, std::size_t(m * k * 2));
  const int int8 = baselines::detail::rotation_copies(options, std::size_t(m * k));
  EXPECT_GT(std::int64_t(fp16) * m * k * 2, 2 * l2);
  EXPECT_GT(std::int64_t(int8) * m * k, 2 * l2); // 4 copies of int8 weights (64 MiB) are not cold
  EXPECT_GT(int8, fp16);
  options.cold_l2_bytes = 0; // no L2 size: the caller's count
  EXPECT_EQ(baselines::detail::rotation_copies(options, std::size_t(m * k)), 4);
}

TEST(TimingLoop, ShortLaunchesAreTimedManyPerEventPair) {
  EXPECT_EQ(measure::launches_per_sample(5.0, 200.0, 256), 40);
  EXPECT_EQ(measure::launches_per_sample(3.0, 200.0, 256), 67);
  EXPECT_EQ(measure::launches_per_sample(1000.0, 200.0, 256), 1);
  EXPECT_EQ(measure::launches_per_sample(0.1, 200.0, 256), 256);
  EXPECT_EQ(measure::launches_per_sample(0.0, 200.0, 64), 64);
}

namespace {
cuda::PreflightFacts good_facts() {
  cuda::PreflightFacts f;
  f.arch = 90;
  f.supported_arch = {75, 80, 86, 89, 90};
  f.driver_version = 12080;
  f.toolkit_version = 12040;
  f.compute_mode = CU_COMPUTEMODE_DEFAULT;
  return f;
}
} // namespace

TEST(Preflight, AGoodSetupHasNoProblems) {
  EXPECT_TRUE(cuda::preflight_problems(good_facts()).empty());
}

TEST(Preflight, ArchNvrtcCannotCompileFor) {
  auto f = good_facts();
  f.arch = 100;
  const auto problems = cuda::preflight_problems(f);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find("sm_100"), std::string::npos) << problems[0];
  EXPECT_NE(problems[0].find("sm_75, sm_80"), std::string::npos) << problems[0];
}

TEST(Preflight, DriverOlderThanTheToolkitsMajor) {
  auto f = good_facts();
  f.toolkit_version = 13000;
  const auto problems = cuda::preflight_problems(f);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find("12.8"), std::string::npos) << problems[0];
  f.driver_version = 13010; // a newer driver loads an older toolkit's code
  EXPECT_TRUE(cuda::preflight_problems(f).empty());
}

TEST(Preflight, ComputeModes) {
  auto f = good_facts();
  f.compute_mode = CU_COMPUTEMODE_EXCLUSIVE_PROCESS;
  ASSERT_EQ(cuda::preflight_problems(f).size(), 1u);
  EXPECT_NE(cuda::preflight_problems(f)[0].find("--no-isolate"), std::string::npos);
  f.isolate = false; // one process holds the only context: fine
  EXPECT_TRUE(cuda::preflight_problems(f).empty());
  f.compute_mode = CU_COMPUTEMODE_PROHIBITED;
  EXPECT_EQ(cuda::preflight_problems(f).size(), 1u);
}

namespace {
// A device-kind backend that records the timing requests it gets (nothing runs).
class RecordingCudaBackend final : public backend::Backend {
public:
  backend::BackendKind kind() const override { return backend::BackendKind::cuda; }
  std::string device_name() const override { return "recording"; }
  void upload(const std::string&, const void*, std::size_t) override {}
  void allocate(const std::string&, std::size_t) override {}
  std::vector<std::uint8_t> download(const std::string&) override { return {}; }
  void release_all() override {}
  backend::PrepareResult prepare(const LaunchPlan&) override {
    if (!prepare_failure.empty())
      throw RuntimeError(prepare_failure);
    return {};
  }
  backend::RunResult run(const LaunchPlan&) override { return {}; }
  backend::TimingResult time(const LaunchPlan&, const backend::TimingRequest& request) override {
    rotations.push_back(request.rotation.size());
    backend::TimingResult result;
    result.samples_us = {1.0, 1.0, 1.0};
    return result;
  }
  std::vector<std::size_t> rotations;
  std::string prepare_failure; // thrown by prepare() when set
};

search::EvaluatorConfig small_config() {
  search::EvaluatorConfig config;
  config.target = &find_target("a100-80gb");
  config.limits = space::target_limits(*config.target);
  config.l2_bytes = 256 << 10; // small L2: a 256x256 layer needs many copies to be cold
  config.restrictions = {"mu=8", "rows_per_thread=4", "threads=128", "split=1"};
  return config;
}
} // namespace

TEST(Remeasure, LeadersAreTimedWithTheSweepsColdWeightRotation) {
  auto recording = std::make_shared<RecordingCudaBackend>();
  search::VariantEvaluator evaluator(recording, small_config());
  const Problem problem{.m = 256, .k = 256, .batch = 1, .bits = 3, .group = 128};
  const auto variants = space::accepted_variants(evaluator.space(problem), problem);
  ASSERT_FALSE(variants.empty());
  EXPECT_FALSE(evaluator.remeasure(problem, variants[0]).empty());
  ASSERT_EQ(recording->rotations.size(), 1u);
  EXPECT_GT(recording->rotations[0], 2u); // the original plus rotated copies, as in the sweep
}

TEST(Evaluate, ADeviceErrorIsTheVariantsLaunchErrorNotAnException) {
  auto recording = std::make_shared<RecordingCudaBackend>();
  recording->prepare_failure = "cuModuleLoadData: CUDA_ERROR_OUT_OF_MEMORY";
  search::VariantEvaluator evaluator(recording, small_config());
  const Problem problem{.m = 256, .k = 256, .batch = 1, .bits = 3, .group = 128};
  const auto variants = space::accepted_variants(evaluator.space(problem), problem);
  ASSERT_FALSE(variants.empty());
  search::VariantOutcome outcome;
  ASSERT_NO_THROW(outcome = evaluator.evaluate(problem, variants[0]));
  EXPECT_EQ(outcome.disposition, Disposition::launch_error);
  EXPECT_NE(outcome.message.find("OUT_OF_MEMORY"), std::string::npos) << outcome.message;
}

TEST(Retryable, AVariantRefusedAfterAFaultIsStoredRetryable) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("lutgemm_test_retryable_" + std::to_string(getpid()) + ".db");
  std::filesystem::remove(path);
  {
    auto store = store::Store::open(path.string());
    store::DeviceRecord device_record;
    device_record.key = "test:gpu";
    device_record.name = "test";
    device_record.backend = "cuda";
    const auto device = store.device_id(device_record);
    const auto problem = store.problem_id(Problem{.m = 256, .k = 256, .batch = 1, .bits = 3});
    store::RunInfo run_info;
    run_info.command_line = "test";
    run_info.backend = "cuda";
    run_info.strategy = "exhaustive";
    run_info.device_id = device;
    const auto run = store.begin_run(run_info);
    for (int i = 0; i < 2; ++i) {
      store::MeasurementRecord r;
      r.run_id = run;
      r.device_id = device;
      r.problem_id = problem;
      r.variant_id = store.variant_id("toy", fmt::format("a={}", i), "{}");
      r.disposition = Disposition::launch_error;
      r.retryable = i == 1; // 0: the faulting variant itself; 1: refused by the faulted context
      ASSERT_TRUE(store.record(r));
    }
    store::Statement rows(store.database(),
                          "SELECT retryable FROM measurements ORDER BY variant_id");
    ASSERT_TRUE(rows.step());
    EXPECT_EQ(rows.column_int(0), 0);
    ASSERT_TRUE(rows.step());
    EXPECT_EQ(rows.column_int(0), 1);
  }
  std::filesystem::remove(path);
}
