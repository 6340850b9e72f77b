#pragma once
// What a CUDA device is: the figures the tuner's pre-filter, the performance report (% of DRAM
// peak) and the `devices` command need, read through the driver API.
#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lutgemm::cuda {

enum class BandwidthSource { attributes, spec_table, unknown };
std::string to_string(BandwidthSource source);
BandwidthSource bandwidth_source_from_string(std::string_view text); // throws UsageError

struct DeviceProperties {
  int ordinal = 0;
  std::string name;
  int cc_major = 0;
  int cc_minor = 0;
  int sm_count = 0;
  std::uint64_t total_memory_bytes = 0;
  int sm_clock_khz = 0;     // CU_DEVICE_ATTRIBUTE_CLOCK_RATE (peak)
  int memory_clock_khz = 0; // CU_DEVICE_ATTRIBUTE_MEMORY_CLOCK_RATE (peak), 0 when not reported
  int memory_bus_width_bits = 0;
  double dram_bandwidth_gbs = 0.0; // 1e9 bytes/s; theoretical peak
  BandwidthSource bandwidth_source = BandwidthSource::unknown;
  std::string bandwidth_note; // how the figure was obtained, for humans
  std::int64_t l2_bytes = 0;
  int max_smem_per_block_bytes = 0;       // default limit (48 KB)
  int max_smem_per_block_optin_bytes = 0; // with cuFuncSetAttribute opt-in
  int max_smem_per_sm_bytes = 0;
  int registers_per_sm = 0;
  int registers_per_block = 0;
  int max_threads_per_sm = 0;
  int max_threads_per_block = 0;
  int max_blocks_per_sm = 0;
  int warp_size = 32;
  int driver_version = 0; // 1000 * major + 10 * minor
  int compute_mode = 0;   // CU_DEVICE_ATTRIBUTE_COMPUTE_MODE (CU_COMPUTEMODE_*)

  std::string arch() const; // "sm_90"
};

// The arch ("sm_90") of the current context's device, for compiling kernels for it. Throws
// DriverUnavailable without a driver, DriverError without a current context.
std::string current_device_arch();

// Peak DRAM bandwidth from the memory clock and bus width (DDR: two transfers per clock).
double bandwidth_from_attributes_gbs(int memory_clock_khz, int bus_width_bits);

// Datasheet peak bandwidth for a device name as the driver reports it ("NVIDIA H100 80GB HBM3"),
// for drivers that report no memory clock; nullopt for names not in the table.
std::optional<double> spec_table_bandwidth_gbs(std::string_view device_name);

// One device / every device. Throw DriverUnavailable with the one line when there is no driver or
// no device.
DeviceProperties query_device(int ordinal);
std::vector<DeviceProperties> query_devices();

nlohmann::json to_json(const DeviceProperties& properties);

} // namespace lutgemm::cuda
