// The driver layer without a driver: the check family's formatting, the one-line reasons, and that
// every entry point fails cleanly. The process forces a missing driver library (before the driver
// is first loaded), so this runs the same on machines with and without a GPU.
#include "cuda/check.hpp"
#include "cuda/context.hpp"
#include "cuda/device_info.hpp"
#include "cuda/driver_api.hpp"
#include "cuda/memory.hpp"

#include <gtest/gtest.h>

#include <cstdlib>

using namespace lutgemm;
using namespace lutgemm::cuda;

namespace {
const bool kForcedMissingDriver = [] {
  setenv("LUTGEMM_CUDA_DRIVER", "libcuda_lutgemm_test_missing.so.1", 1);
  return true;
}();
} // namespace

TEST(Driver, MissingDriverIsOneClearLine) {
  ASSERT_TRUE(kForcedMissingDriver);
  const DriverStatus& status = driver_status();
  EXPECT_EQ(status.state, DriverState::no_driver);
  EXPECT_FALSE(status.ok());
  EXPECT_EQ(
      status.message.rfind("no CUDA driver (libcuda_lutgemm_test_missing.so.1 not found): ", 0), 0u)
      << status.message;
  EXPECT_EQ(status.message.find('\n'), std::string::npos);
  EXPECT_EQ(driver_functions_or_null(), nullptr);
}

TEST(Driver, EntryPointsThrowDriverUnavailableWithTheSameLine) {
  const std::string line = driver_status().message;
  try {
    (void)driver();
    FAIL() << "driver() returned without a driver";
  } catch (const DriverUnavailable& e) {
    EXPECT_EQ(std::string(e.what()), line);
  }
  EXPECT_THROW(PrimaryContext context(0), DriverUnavailable);
  EXPECT_THROW((void)query_devices(), DriverUnavailable);
  EXPECT_THROW((void)query_device(0), DriverUnavailable);
  EXPECT_THROW(DeviceBuffer buffer(64), DriverUnavailable);
  // Checked calls go through driver() too.
  EXPECT_THROW(LUTGEMM_CU(cuInit, 0), DriverUnavailable);
}

TEST(Driver, CheckFamilyFormatsCallFileLineNameAndDescription) {
  const std::string text =
      format_driver_error(CUDA_ERROR_OUT_OF_MEMORY, "cuMemAlloc(&ptr, bytes)", __FILE__, 42);
  // Without a loaded driver there is no description; the name comes from the built-in table.
  EXPECT_EQ(text, "cuMemAlloc(&ptr, bytes) failed at tests/unit/test_driver.cpp:42: "
                  "CUDA_ERROR_OUT_OF_MEMORY");
  EXPECT_EQ(result_name(CUDA_ERROR_ILLEGAL_ADDRESS), "CUDA_ERROR_ILLEGAL_ADDRESS");
  EXPECT_EQ(result_name(CUDA_ERROR_NO_DEVICE), "CUDA_ERROR_NO_DEVICE");
  EXPECT_EQ(result_name(static_cast<CUresult>(12345)), "CUDA_ERROR_12345");
}

TEST(Driver, CheckThrowsDriverErrorCarryingTheCode) {
  try {
    // The project's source directory is stripped from the path (common/error.hpp).
    const std::string file = std::string(LUTGEMM_TEST_SOURCE_DIR) + "/tuner/cuda/x.cpp";
    check_driver(CUDA_ERROR_LAUNCH_FAILED, "cuLaunchKernel(f, ...)", file.c_str(), 7);
    FAIL() << "check_driver did not throw";
  } catch (const DriverError& e) {
    EXPECT_EQ(e.code(), CUDA_ERROR_LAUNCH_FAILED);
    EXPECT_EQ(std::string(e.what()),
              "cuLaunchKernel(f, ...) failed at tuner/cuda/x.cpp:7: CUDA_ERROR_LAUNCH_FAILED");
  }
  EXPECT_NO_THROW(check_driver(CUDA_SUCCESS, "cuInit(0)", __FILE__, __LINE__));
}

TEST(Driver, NoThrowVariantReportsAndReturnsFalse) {
  testing::internal::CaptureStderr();
  const bool ok = check_driver_nothrow(CUDA_ERROR_INVALID_VALUE, "cuMemFree(ptr)", __FILE__, 9);
  const std::string err = testing::internal::GetCapturedStderr();
  EXPECT_FALSE(ok);
  EXPECT_NE(err.find("warning: cuMemFree(ptr) failed at tests/unit/test_driver.cpp:9: "
                     "CUDA_ERROR_INVALID_VALUE"),
            std::string::npos)
      << err;
  EXPECT_TRUE(check_driver_nothrow(CUDA_SUCCESS, "cuMemFree(ptr)", __FILE__, 10));
}

TEST(Driver, StickyErrorsAreTheFaultKinds) {
  EXPECT_TRUE(is_sticky_error(CUDA_ERROR_ILLEGAL_ADDRESS));
  EXPECT_TRUE(is_sticky_error(CUDA_ERROR_LAUNCH_FAILED));
  EXPECT_FALSE(is_sticky_error(CUDA_ERROR_OUT_OF_MEMORY));
  EXPECT_FALSE(is_sticky_error(CUDA_ERROR_INVALID_VALUE));
}

TEST(Driver, StateNamesRoundTrip) {
  for (DriverState state :
       {DriverState::ok, DriverState::no_driver, DriverState::unusable, DriverState::no_device})
    EXPECT_EQ(driver_state_from_string(to_string(state)), state);
  EXPECT_THROW(driver_state_from_string("sleepy"), UsageError);
  EXPECT_EQ(driver_version_text(13000), "13.0");
  EXPECT_EQ(driver_version_text(12080), "12.8");
}

TEST(DeviceInfo, BandwidthFromAttributes) {
  // A100-80GB SXM: 1593 MHz HBM2e, 5120-bit bus -> 2 * 1.593e9 * 640 B = 2039 GB/s (datasheet).
  EXPECT_NEAR(bandwidth_from_attributes_gbs(1593000, 5120), 2039.0, 0.5);
  // H100 SXM: 2619 MHz HBM3, 5120-bit -> 3352 GB/s (datasheet: 3.35 TB/s).
  EXPECT_NEAR(bandwidth_from_attributes_gbs(2619000, 5120), 3352.3, 0.5);
}

TEST(DeviceInfo, SpecTableMatchesDriverNamesWithoutConfusingSimilarOnes) {
  EXPECT_EQ(spec_table_bandwidth_gbs("NVIDIA A100-SXM4-80GB"), 2039.0);
  EXPECT_EQ(spec_table_bandwidth_gbs("NVIDIA A100 80GB PCIe"), 1935.0);
  EXPECT_EQ(spec_table_bandwidth_gbs("NVIDIA A100-PCIE-40GB"), 1555.0);
  EXPECT_EQ(spec_table_bandwidth_gbs("NVIDIA H100 80GB HBM3"), 3350.0);
  EXPECT_EQ(spec_table_bandwidth_gbs("NVIDIA H100 PCIe"), 2000.0);
  EXPECT_EQ(spec_table_bandwidth_gbs("NVIDIA H200"), 4800.0);
  EXPECT_EQ(spec_table_bandwidth_gbs("NVIDIA L4"), 300.0);
  EXPECT_EQ(spec_table_bandwidth_gbs("NVIDIA L40S"), 864.0);
  EXPECT_EQ(spec_table_bandwidth_gbs("NVIDIA A10"), 600.0);
  EXPECT_EQ(spec_table_bandwidth_gbs("Tesla T4"), 320.0);
  EXPECT_EQ(spec_table_bandwidth_gbs("NVIDIA GeForce RTX 4090"), 1008.0);
  EXPECT_FALSE(spec_table_bandwidth_gbs("NVIDIA Quadro P1000").has_value());
  for (BandwidthSource s :
       {BandwidthSource::attributes, BandwidthSource::spec_table, BandwidthSource::unknown})
    EXPECT_EQ(bandwidth_source_from_string(to_string(s)), s);
  EXPECT_THROW(bandwidth_source_from_string("guess"), UsageError);
}
