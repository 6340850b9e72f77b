// `lutgemm devices [--json]`: the CUDA devices (through the run-time loaded driver) and the host
// emulator, which is always available. No driver or no device is not an error: one line says so
// and the command exits 0, because the emulator still works.
#include "cli/command_registry.hpp"
#include "cuda/device_info.hpp"
#include "cuda/driver_api.hpp"
#include "emu/emulator.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <thread>

namespace lutgemm::cli {
namespace {

std::string gib(double bytes) {
  return fmt::format("{:.1f} GiB", bytes / (1024.0 * 1024 * 1024));
}
std::string mib(double bytes) {
  return fmt::format("{:.1f} MiB", bytes / (1024.0 * 1024));
}
std::string kib(double bytes) {
  return fmt::format("{:.0f} KiB", bytes / 1024.0);
}

class DevicesCommand final : public Command {
public:
  void setup(CLI::App& app) override {
    app.add_flag("--json", json_, "Print one JSON object (keys: cuda, emulator)");
  }

  int run() override {
    const cuda::DriverStatus& status = cuda::driver_status();
    std::vector<cuda::DeviceProperties> devices;
    if (status.ok())
      devices = cuda::query_devices();
    const emu::EmulatorInfo emu = emu::emulator_info();

    if (json_) {
      nlohmann::json cuda_json = {
          {"status", cuda::to_string(status.state)},
          {"message", status.message},
          {"driver_version",
           status.driver_version ? cuda::driver_version_text(status.driver_version) : ""},
          {"devices", nlohmann::json::array()}};
      for (const auto& device : devices)
        cuda_json["devices"].push_back(cuda::to_json(device));
      nlohmann::json out = {{"cuda", cuda_json},
                            {"emulator",
                             {{"name", emu.name},
                              {"available", true},
                              {"worker_threads", emu.threads},
                              {"smem_per_block_bytes", emu.smem_limit_bytes},
                              {"smem_per_block_optin_bytes", emu.smem_optin_bytes},
                              {"compiler", emu.compiler},
                              {"cache_dir", emu.cache_dir}}}};
      fmt::print("{}\n", out.dump(2));
      return 0;
    }

    if (!status.ok())
      fmt::print("{}\n", status.message);
    for (const auto& d : devices) {
      fmt::print("cuda:{}  {} ({}, compute capability {}.{})\n", d.ordinal, d.name, d.arch(),
                 d.cc_major, d.cc_minor);
      fmt::print("  {} SMs, {} memory, DRAM {:.0f} GB/s [{}], L2 {}\n", d.sm_count,
                 gib(double(d.total_memory_bytes)), d.dram_bandwidth_gbs, d.bandwidth_note,
                 mib(double(d.l2_bytes)));
      fmt::print("  shared memory per block {} (opt-in {}), per SM {}; registers per SM {}; "
                 "max threads per SM {}\n",
                 kib(d.max_smem_per_block_bytes), kib(d.max_smem_per_block_optin_bytes),
                 kib(d.max_smem_per_sm_bytes), d.registers_per_sm, d.max_threads_per_sm);
      fmt::print("  clocks: SM {} MHz, memory {} MHz ({}-bit bus); driver {}\n",
                 d.sm_clock_khz / 1000, d.memory_clock_khz / 1000, d.memory_bus_width_bits,
                 cuda::driver_version_text(d.driver_version));
    }
    fmt::print("emu     {} (always available): {} worker threads, shared memory per block {} "
               "(opt-in {}); kernels compiled by {}, cached in {}\n",
               emu.name, emu.threads, kib(emu.smem_limit_bytes), kib(emu.smem_optin_bytes),
               emu.compiler, emu.cache_dir);
    return 0;
  }

private:
  bool json_ = false;
};

const Registration kRegistration{"devices", "List CUDA devices and the host emulator", 10,
                                 [] { return std::make_unique<DevicesCommand>(); }};

} // namespace
} // namespace lutgemm::cli
