#pragma once
// What the host SIMT emulator counted while running one variant (issue 11), in the form the
// performance model consumes (issue 10). The emulator side (tuner/emu) converts its raw per-launch
// counters into this; the model side (tuner/model) uses each field that is set in place of its own
// analytic estimate. Every field is a ratio or a per-weight figure, so counts taken at the
// emulator's proxy shape carry over to the real shape.
//
// This header is the contract between the two modules: it depends on nothing else in the project.
#include <optional>

namespace lutgemm::model {

struct ObservedCounters {
  // Shared memory: wavefronts per warp-wide request of the kernel's table lookups (loads). 1.0 is
  // conflict-free (or broadcast); 32.0 is every lane on a different word of one bank.
  std::optional<double> smem_load_conflict_factor;
  // Shared memory: wavefronts per warp-wide store request (table builds).
  std::optional<double> smem_store_conflict_factor;
  // Global memory: 32-byte sectors per warp-wide load request (4 = perfectly coalesced 4-byte loads
  // across 32 lanes; 16 for 16-byte vector loads).
  std::optional<double> global_load_sectors_per_request;
  // Per weight (one element of the M x K matrix) of the main launch, summed over all threads:
  std::optional<double> smem_loads_per_weight;  // warp-level shared-load instructions x 32 / (M*K)
  std::optional<double> smem_stores_per_weight; // warp-level shared-store instructions x 32 / (M*K)
  std::optional<double> alu_ops_per_weight;     // fp32 + fp16 + half2 + integer/bit ops / (M*K)
  std::optional<double> global_load_bytes_per_weight; // bytes requested by global loads / (M*K)
  std::optional<double> atomics_per_output;           // global atomics / (M * batch)
};

} // namespace lutgemm::model
