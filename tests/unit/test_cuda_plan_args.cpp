// Packing a LaunchPlan's arguments for cuLaunchKernel needs no device: each argument sits in its
// own slot with the value the kernel will read, buffers resolve by name.
#include "common/error.hpp"
#include "cuda/plan_launch.hpp"

#include <gtest/gtest.h>

#include <cstring>

using namespace lutgemm;
using namespace lutgemm::cuda;

TEST(PlanArgs, EachArgumentHoldsItsValue) {
  const std::vector<KernelArg> args = {KernelArg::buf("x"), KernelArg::i32(-123456),
                                       KernelArg::i64(0x123456789abLL), KernelArg::f32(2.5f),
                                       KernelArg::buf("y")};
  const BufferBindings buffers = {{"x", CUdeviceptr(0x7f0000001000ULL)},
                                  {"y", CUdeviceptr(0x7f0000002000ULL)}};
  PackedArgs packed(args, buffers);
  ASSERT_EQ(packed.size(), args.size());
  void** p = packed.get();
  CUdeviceptr x = 0, y = 0;
  std::int32_t i32 = 0;
  std::int64_t i64 = 0;
  float f32 = 0;
  std::memcpy(&x, p[0], sizeof x);
  std::memcpy(&i32, p[1], sizeof i32);
  std::memcpy(&i64, p[2], sizeof i64);
  std::memcpy(&f32, p[3], sizeof f32);
  std::memcpy(&y, p[4], sizeof y);
  EXPECT_EQ(x, 0x7f0000001000ULL);
  EXPECT_EQ(i32, -123456);
  EXPECT_EQ(i64, 0x123456789abLL);
  EXPECT_EQ(f32, 2.5f);
  EXPECT_EQ(y, 0x7f0000002000ULL);
  // Distinct, 8-byte aligned slots.
  for (std::size_t i = 0; i < packed.size(); ++i) {
    EXPECT_EQ(reinterpret_cast<std::uintptr_t>(p[i]) % 8, 0u);
    for (std::size_t j = i + 1; j < packed.size(); ++j)
      EXPECT_NE(p[i], p[j]);
  }
}

TEST(PlanArgs, UnboundBufferIsNamed) {
  try {
    PackedArgs packed({KernelArg::buf("alpha")}, {{"x", CUdeviceptr(16)}});
    FAIL();
  } catch (const RuntimeError& e) {
    EXPECT_EQ(std::string(e.what()),
              "kernel argument 0 names buffer 'alpha', which is not bound (bound: x)");
  }
}

TEST(PlanArgs, PlanAndFunctionCountsMustMatch) {
  LaunchPlan plan;
  plan.launches.resize(2);
  EXPECT_THROW(enqueue_plan(plan, {}, {}), RuntimeError);
}
