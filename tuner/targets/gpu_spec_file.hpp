#pragma once
// Any GPU as a target: a JSON file with the same fields as the built-in table (GpuSpec), so that
// the model, the pre-filter and `--target` work for a GPU the table does not have. Either every
// datasheet field is given, or "base" names a built-in target and the file overrides some of it:
//
//   {"base": "h100-sxm", "key": "h100-78sm", "sm_count": 78, "dram_gbps": 4000}
//
// Fields: key, name, base, arch ("sm_90"), sm_count, dram_gbps, dram_bytes, l2_bytes, smem_per_sm,
// smem_per_block_optin, smem_per_block_static, regs_per_sm, max_regs_per_thread,
// max_threads_per_sm, max_threads_per_block, max_blocks_per_sm, warp_size, smem_banks,
// boost_clock_mhz, fp32_lanes_per_sm, fp16_tensor_tflops, achievable_dram_fraction,
// dram_latency_ns, l2_latency_ns, l2_gbps. An unknown field, a missing one, or a value out of range
// is a UsageError naming the file and the field.
#include "targets/gpu_spec.hpp"

#include <string_view>

namespace lutgemm {

// True when `target` names a spec file rather than a built-in key (it ends in ".json").
bool is_target_spec_path(std::string_view target);

// Parses and validates the spec in `json_text` (`origin` names it in errors). The returned
// reference stays valid for the life of the process.
const GpuSpec& parse_target_spec(std::string_view json_text, std::string_view origin);

// Reads and parses the file; UsageError when it cannot be read.
const GpuSpec& load_target_spec(std::string_view path);

} // namespace lutgemm
