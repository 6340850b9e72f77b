#pragma once
// What ptxas says about one compiled kernel (NVRTC with --ptxas-options=-v writes it into the
// program log):
//   ptxas info    : Function properties for <lowered name>
//       0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
//   ptxas info    : Used 40 registers, used 1 barriers, 16 bytes smem, 400 bytes cmem[0]
#include <optional>
#include <string>
#include <string_view>

namespace lutgemm {

struct ResourceReport {
  int registers = 0;
  int static_smem_bytes = 0; // static __shared__ only; dynamic shared memory is set at launch
  int stack_frame_bytes = 0;
  int spill_store_bytes = 0;
  int spill_load_bytes = 0;
  int barriers = 0;
  int const_bank0_bytes = 0; // cmem[0]: kernel parameters and driver constants
  bool spills() const { return spill_store_bytes > 0 || spill_load_bytes > 0; }
  friend bool operator==(const ResourceReport&, const ResourceReport&) = default;
};

// The report of the entry `lowered_name` in an NVRTC/ptxas log, or nullopt when the log has no
// "Used N registers" line for it.
std::optional<ResourceReport> parse_resource_report(std::string_view log,
                                                    std::string_view lowered_name);

// "regs=40 smem=0 stack=0 spill_st=0 spill_ld=0 bar=1"
std::string to_string(const ResourceReport& report);

} // namespace lutgemm
