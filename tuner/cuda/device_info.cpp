#include "cuda/device_info.hpp"

#include "cuda/check.hpp"
#include "targets/gpu_spec.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>

namespace lutgemm::cuda {
namespace {

int attribute(CUdevice device, CUdevice_attribute which) {
  int value = 0;
  LUTGEMM_CU(cuDeviceGetAttribute, &value, which, device);
  return value;
}

} // namespace

std::string to_string(BandwidthSource source) {
  switch (source) {
  case BandwidthSource::attributes:
    return "attributes";
  case BandwidthSource::spec_table:
    return "spec_table";
  case BandwidthSource::unknown:
    return "unknown";
  }
  return "unknown";
}

BandwidthSource bandwidth_source_from_string(std::string_view text) {
  for (BandwidthSource source :
       {BandwidthSource::attributes, BandwidthSource::spec_table, BandwidthSource::unknown})
    if (to_string(source) == text)
      return source;
  throw UsageError(fmt::format("unknown bandwidth source '{}' (allowed: attributes, spec_table, "
                               "unknown)",
                               text));
}

std::string DeviceProperties::arch() const {
  return fmt::format("sm_{}{}", cc_major, cc_minor);
}

double bandwidth_from_attributes_gbs(int memory_clock_khz, int bus_width_bits) {
  return 2.0 * double(memory_clock_khz) * 1e3 * (double(bus_width_bits) / 8.0) / 1e9;
}

std::optional<double> spec_table_bandwidth_gbs(std::string_view device_name) {
  // The project's one GPU table (tuner/targets/gpu_spec.cpp), so that a device's datasheet
  // bandwidth and a target's never disagree (issue 15).
  if (const GpuSpec* spec = match_device_name(device_name))
    return spec->dram_gbps;
  return std::nullopt;
}

std::string current_device_arch() {
  const DriverStatus& status = driver_status();
  if (!status.ok())
    throw DriverUnavailable(status.message);
  CUdevice device = 0;
  LUTGEMM_CU(cuCtxGetDevice, &device);
  return fmt::format("sm_{}{}", attribute(device, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR),
                     attribute(device, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR));
}

DeviceProperties query_device(int ordinal) {
  const DriverStatus& status = driver_status();
  if (!status.ok())
    throw DriverUnavailable(status.message);
  if (ordinal < 0 || ordinal >= status.device_count)
    throw UsageError(fmt::format("CUDA device {} does not exist (devices: 0..{})", ordinal,
                                 status.device_count - 1));
  CUdevice device = 0;
  LUTGEMM_CU(cuDeviceGet, &device, ordinal);

  DeviceProperties p;
  p.ordinal = ordinal;
  std::array<char, 256> name{};
  LUTGEMM_CU(cuDeviceGetName, name.data(), static_cast<int>(name.size()), device);
  p.name = name.data();
  std::size_t total = 0;
  LUTGEMM_CU(cuDeviceTotalMem, &total, device);
  p.total_memory_bytes = total;
  p.cc_major = attribute(device, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR);
  p.cc_minor = attribute(device, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR);
  p.sm_count = attribute(device, CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT);
  p.sm_clock_khz = attribute(device, CU_DEVICE_ATTRIBUTE_CLOCK_RATE);
  p.memory_clock_khz = attribute(device, CU_DEVICE_ATTRIBUTE_MEMORY_CLOCK_RATE);
  p.memory_bus_width_bits = attribute(device, CU_DEVICE_ATTRIBUTE_GLOBAL_MEMORY_BUS_WIDTH);
  p.l2_bytes = attribute(device, CU_DEVICE_ATTRIBUTE_L2_CACHE_SIZE);
  p.compute_mode = attribute(device, CU_DEVICE_ATTRIBUTE_COMPUTE_MODE);
  p.max_smem_per_block_bytes = attribute(device, CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK);
  p.max_smem_per_block_optin_bytes =
      attribute(device, CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN);
  p.max_smem_per_sm_bytes =
      attribute(device, CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_MULTIPROCESSOR);
  p.registers_per_sm = attribute(device, CU_DEVICE_ATTRIBUTE_MAX_REGISTERS_PER_MULTIPROCESSOR);
  p.registers_per_block = attribute(device, CU_DEVICE_ATTRIBUTE_MAX_REGISTERS_PER_BLOCK);
  p.max_threads_per_sm = attribute(device, CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_MULTIPROCESSOR);
  p.max_threads_per_block = attribute(device, CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_BLOCK);
  p.max_blocks_per_sm = attribute(device, CU_DEVICE_ATTRIBUTE_MAX_BLOCKS_PER_MULTIPROCESSOR);
  p.warp_size = attribute(device, CU_DEVICE_ATTRIBUTE_WARP_SIZE);
  p.driver_version = status.driver_version;

  if (p.memory_clock_khz > 0 && p.memory_bus_width_bits > 0) {
    p.dram_bandwidth_gbs =
        bandwidth_from_attributes_gbs(p.memory_clock_khz, p.memory_bus_width_bits);
    p.bandwidth_source = BandwidthSource::attributes;
    p.bandwidth_note = fmt::format("2 x {} MHz memory clock x {}-bit bus (driver attributes)",
                                   p.memory_clock_khz / 1000, p.memory_bus_width_bits);
  } else if (auto spec = spec_table_bandwidth_gbs(p.name)) {
    p.dram_bandwidth_gbs = *spec;
    p.bandwidth_source = BandwidthSource::spec_table;
    p.bandwidth_note = "datasheet figure by device name (the driver reports no memory clock)";
  } else {
    p.bandwidth_source = BandwidthSource::unknown;
    p.bandwidth_note = "unknown: the driver reports no memory clock and the name is not in the "
                       "spec table";
  }
  return p;
}

std::vector<DeviceProperties> query_devices() {
  const DriverStatus& status = driver_status();
  if (!status.ok())
    throw DriverUnavailable(status.message);
  std::vector<DeviceProperties> devices;
  for (int i = 0; i < status.device_count; ++i)
    devices.push_back(query_device(i));
  return devices;
}

nlohmann::json to_json(const DeviceProperties& p) {
  return {
      {"ordinal", p.ordinal},
      {"name", p.name},
      {"compute_capability", fmt::format("{}.{}", p.cc_major, p.cc_minor)},
      {"arch", p.arch()},
      {"sm_count", p.sm_count},
      {"total_memory_bytes", p.total_memory_bytes},
      {"sm_clock_khz", p.sm_clock_khz},
      {"memory_clock_khz", p.memory_clock_khz},
      {"memory_bus_width_bits", p.memory_bus_width_bits},
      {"dram_bandwidth_gbs", p.dram_bandwidth_gbs},
      {"dram_bandwidth_source", to_string(p.bandwidth_source)},
      {"dram_bandwidth_note", p.bandwidth_note},
      {"l2_bytes", p.l2_bytes},
      {"max_smem_per_block_bytes", p.max_smem_per_block_bytes},
      {"max_smem_per_block_optin_bytes", p.max_smem_per_block_optin_bytes},
      {"max_smem_per_sm_bytes", p.max_smem_per_sm_bytes},
      {"registers_per_sm", p.registers_per_sm},
      {"registers_per_block", p.registers_per_block},
      {"max_threads_per_sm", p.max_threads_per_sm},
      {"max_threads_per_block", p.max_threads_per_block},
      {"max_blocks_per_sm", p.max_blocks_per_sm},
      {"warp_size", p.warp_size},
      {"driver_version", driver_version_text(p.driver_version)},
  };
}

} // namespace lutgemm::cuda
