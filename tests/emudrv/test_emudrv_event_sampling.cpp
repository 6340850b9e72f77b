// The one CUDA-event timing loop (tuner/cuda/event_sampling.hpp) on the emulated CUDA driver: how
// many operations run, how they are numbered (the backend rotates its buffer sets by the number),
// and that the stop callback is asked before every sample with the samples so far.
#include "cuda/context.hpp"
#include "cuda/event.hpp"
#include "cuda/event_sampling.hpp"
#include "emulated_driver.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <vector>

using namespace lutgemm;

namespace {

const bool kEmulatedDriver = emudrv::use_emulated_driver();

struct Recorded {
  std::vector<std::size_t> indices;
  std::vector<std::size_t> samples_seen; // p.us.size() at each question
  std::vector<int> per_sample_seen;      // p.operations_per_sample at each question
  cuda::EventSamples result;
};

Recorded sample(const cuda::EventSampling& how, std::size_t samples) {
  cuda::PrimaryContext context(0);
  cuda::Stream stream;
  Recorded r;
  r.result = cuda::sample_with_events(
      stream.get(), how, [&](std::size_t i, CUstream) { r.indices.push_back(i); },
      [&](const cuda::SamplingProgress& p) {
        r.samples_seen.push_back(p.us.size());
        r.per_sample_seen.push_back(p.operations_per_sample);
        EXPECT_GE(p.elapsed_s, 0.0);
        return p.us.size() < samples;
      });
  return r;
}

} // namespace

TEST(EventSampling, UntimedWarmupThenOneOperationPerSampleNumberedFromZeroAgain) {
  ASSERT_TRUE(kEmulatedDriver);
  cuda::EventSampling how;
  how.warmup = 3;
  how.size_from_warmup = false;
  how.restart_numbering = true;
  const auto r = sample(how, 4);
  EXPECT_EQ(r.indices, (std::vector<std::size_t>{0, 1, 2, 0, 1, 2, 3}));
  EXPECT_EQ(r.samples_seen, (std::vector<std::size_t>{0, 1, 2, 3, 4}));
  EXPECT_EQ(r.result.operations_per_sample, 1);
  EXPECT_EQ(r.result.warmup, 3);
  ASSERT_EQ(r.result.us.size(), 4u);
  for (double us : r.result.us)
    EXPECT_GE(us, 0.0);
}

TEST(EventSampling, TimedWarmupSizesTheSamplesAndNumberingGoesOn) {
  ASSERT_TRUE(kEmulatedDriver);
  cuda::EventSampling how;
  how.warmup = 0; // a sizing warm-up runs at least once
  const auto r = sample(how, 2);
  EXPECT_EQ(r.result.warmup, 1);
  const int n = r.result.operations_per_sample;
  EXPECT_GE(n, 1);
  EXPECT_LE(n, 256); // measure::launches_per_sample's default ceiling
  ASSERT_EQ(r.indices.size(), 1u + 2u * static_cast<std::size_t>(n));
  for (std::size_t i = 0; i < r.indices.size(); ++i)
    EXPECT_EQ(r.indices[i], i) << "operation " << i;
  EXPECT_EQ(r.samples_seen, (std::vector<std::size_t>{0, 1, 2}));
  EXPECT_EQ(r.per_sample_seen, std::vector<int>(3, n));
}

TEST(EventSampling, NoSampleWhenTheFirstQuestionSaysNo) {
  ASSERT_TRUE(kEmulatedDriver);
  cuda::EventSampling how;
  how.warmup = 2;
  how.size_from_warmup = false;
  const auto r = sample(how, 0);
  EXPECT_EQ(r.indices, (std::vector<std::size_t>{0, 1}));
  EXPECT_TRUE(r.result.us.empty());
}
