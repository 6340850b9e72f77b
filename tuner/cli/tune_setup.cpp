#include "cli/tune_setup.hpp"

#include "backend/cuda_backend.hpp"
#include "backend/emu_backend.hpp"
#include "cli/calibrated_target.hpp"
#include "cli/cli_common.hpp"
#include "common/error.hpp"
#include "store/sqlite_kernel_cache.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cmath>

namespace lutgemm::cli {

void check_variant_timeout(double seconds) {
  // nan, inf and absurd values would make every variant a timeout (or none ever one).
  if (!std::isfinite(seconds) || seconds < 0.1 || seconds > 86400) {
    throw UsageError(fmt::format("--variant-timeout {} is outside 0.1 .. 86400 seconds", seconds));
  }
}

TuneSetup make_tune_setup(bool use_cuda, const std::string& target, int ordinal,
                          const std::string& db_path, double variant_timeout_s, bool emu_counters) {
  TuneSetup s;
  load_calibrated_target(target, db_path); // --target "<device name>": its stored calibration
  auto& config = s.config;
  auto& device = s.device;
  if (use_cuda) {
    auto compiler = std::make_shared<NvrtcCompiler>(std::vector<std::shared_ptr<KernelCache>>{
        std::make_shared<MemoryKernelCache>(), std::make_shared<SqliteKernelCache>(db_path)});
    auto cuda_backend = std::make_shared<backend::CudaBackend>(ordinal, compiler);
    const auto& props = cuda_backend->properties();
    const GpuSpec* spec =
        target.empty() ? match_device_name(props.name, std::int64_t(props.total_memory_bytes))
                       : &find_target(target);
    if (spec == nullptr)
      spec = &resolve_target("", props.arch(), "h100-sxm");
    config.target = spec;
    // The device's own limits, not the datasheet's.
    config.limits = space::target_limits(*spec);
    config.limits.name = props.name;
    config.limits.max_threads_per_block = props.max_threads_per_block;
    config.limits.max_threads_per_sm = props.max_threads_per_sm;
    config.limits.max_blocks_per_sm = props.max_blocks_per_sm;
    config.limits.regs_per_sm = props.registers_per_sm;
    config.limits.smem_per_sm = props.max_smem_per_sm_bytes;
    config.limits.smem_per_block_optin = props.max_smem_per_block_optin_bytes;
    config.limits.smem_per_block_static = props.max_smem_per_block_bytes;
    config.dram_peak_gbps = props.dram_bandwidth_gbs;
    config.l2_bytes = props.l2_bytes;
    device.key = fmt::format("cuda:{}:{}", props.name, props.ordinal);
    device.name = props.name;
    device.backend = "cuda";
    device.arch = props.arch();
    device.sm_count = props.sm_count;
    device.dram_gbps = props.dram_bandwidth_gbs;
    device.l2_bytes = props.l2_bytes;
    device.details_json = cuda::to_json(props).dump();
    s.driver = cuda::driver_version_text(props.driver_version);
    s.source_note =
        fmt::format("measured on {} with CUDA events (cold weights, noise-based stop)", props.name);
    s.backend = cuda_backend;
    return s;
  }
  const GpuSpec& spec = find_target(target.empty() ? "a100-80gb" : target);
  config.target = &spec;
  config.limits = space::target_limits(spec);
  config.dram_peak_gbps = spec.dram_gbps;
  config.l2_bytes = spec.l2_bytes;
  device.key = fmt::format("model:{}", spec.key);
  // Never the GPU's own name: these rows are a model's, verified in the emulator.
  device.name = fmt::format("emu (model: {})", spec.key);
  device.backend = "emu";
  device.arch = spec.arch_text();
  device.sm_count = spec.sm_count;
  device.dram_gbps = spec.dram_gbps;
  device.l2_bytes = spec.l2_bytes;
  nlohmann::json details{{"source", spec.calibration.empty()
                                        ? "built-in spec table"
                                        : "calibrated spec (lutgemm calibrate)"},
                         {"target", std::string(spec.key)},
                         {"target_name", std::string(spec.name)}};
  if (!spec.calibration.empty())
    details["calibration"] = std::string(spec.calibration);
  device.details_json = details.dump();
  s.source_note = fmt::format(
      "MODELLED for {} by the performance model (not measured on any "
      "GPU){}; every variant verified in the host emulator",
      spec.key,
      spec.calibration.empty() ? std::string() : fmt::format(", with {}", spec.calibration));
  // Each launch in a forked child: a variant that crashes the emulator is a disposition, not the
  // end of the sweep.
  emu::LaunchOptions launch;
  launch.isolate = true;
  launch.timeout_s = variant_timeout_s;
  emu::set_compile_timeout(variant_timeout_s); // a stuck host compile is killed, not waited on
  s.backend = std::make_shared<backend::EmuBackend>(launch, emu_counters);
  if (emu_counters)
    s.source_note += "; the model uses each variant's emulated shared-memory and atomics counters";
  // ptxas resources for the target's arch (cached in the database like any compile).
  config.resource_compiler =
      std::make_shared<NvrtcCompiler>(std::vector<std::shared_ptr<KernelCache>>{
          std::make_shared<MemoryKernelCache>(), std::make_shared<SqliteKernelCache>(db_path)});
  return s;
}

} // namespace lutgemm::cli
