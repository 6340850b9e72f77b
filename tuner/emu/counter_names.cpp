#include "emu/counter_names.hpp"

#include <fmt/format.h>

namespace lutgemm::emu {

std::vector<std::pair<std::string, double>> named_counters(const LaunchCounters& c) {
  auto d = [](std::uint64_t v) { return static_cast<double>(v); };
  auto conflicts = [](const MemoryCounters& m) {
    return static_cast<double>(m.units > m.ideal_units ? m.units - m.ideal_units : 0);
  };
  using namespace lutgemm_emu;
  const auto& t = c.thread_ops;
  const auto& w = c.warp_ops_by_kind;
  std::vector<std::pair<std::string, double>> named = {
      {"launch__grid_size", d(c.blocks)},
      {"launch__warps_launched", d(c.warps)},
      {"launch__thread_count", d(c.threads)},
      {"smsp__inst_executed_op_shared_ld.sum", d(c.shared_load.requests)},
      {"smsp__inst_executed_op_shared_st.sum", d(c.shared_store.requests)},
      {"smsp__inst_executed_op_shared_atom.sum", d(c.shared_atomic.requests)},
      {"l1tex__data_pipe_lsu_wavefronts_mem_shared_op_ld.sum", d(c.shared_load.units)},
      {"l1tex__data_pipe_lsu_wavefronts_mem_shared_op_st.sum", d(c.shared_store.units)},
      {"l1tex__data_bank_conflicts_pipe_lsu_mem_shared_op_ld.sum", conflicts(c.shared_load)},
      {"l1tex__data_bank_conflicts_pipe_lsu_mem_shared_op_st.sum", conflicts(c.shared_store)},
      {"smsp__inst_executed_op_global_ld.sum", d(c.global_load.requests)},
      {"smsp__inst_executed_op_global_st.sum", d(c.global_store.requests)},
      {"l1tex__t_requests_pipe_lsu_mem_global_op_ld.sum", d(c.global_load.requests)},
      {"l1tex__t_sectors_pipe_lsu_mem_global_op_ld.sum", d(c.global_load.units)},
      {"l1tex__t_requests_pipe_lsu_mem_global_op_st.sum", d(c.global_store.requests)},
      {"l1tex__t_sectors_pipe_lsu_mem_global_op_st.sum", d(c.global_store.units)},
      {"l1tex__t_requests_pipe_lsu_mem_global_op_atom.sum", d(c.global_atomic.requests)},
      {"l1tex__t_sectors_pipe_lsu_mem_global_op_atom.sum", d(c.global_atomic.units)},
      {"emu__global_ld_bytes.sum", d(c.global_load.bytes)},
      {"emu__global_st_bytes.sum", d(c.global_store.bytes)},
      {"emu__global_atom_ops.sum", d(c.global_atomic.lane_accesses)},
      {"emu__barriers_warp.sum", d(c.barriers)},
      {"emu__warp_ops.sum", d(c.warp_ops)},
      {"emu__shared_ld_conflict_factor", c.shared_load.excess_factor()},
      {"emu__shared_st_conflict_factor", c.shared_store.excess_factor()},
      {"emu__global_ld_sectors_per_request", c.global_load.units_per_request()},
      // Nsight Compute counts the SASS instructions HADD2, HMUL2 and HFMA2, which also carry the
      // scalar __half operations: so do these sums.
      {"smsp__sass_thread_inst_executed_op_hadd_pred_on.sum", d(t[kOpHadd] + t[kOpHadd2])},
      {"smsp__sass_thread_inst_executed_op_hmul_pred_on.sum", d(t[kOpHmul] + t[kOpHmul2])},
      {"smsp__sass_thread_inst_executed_op_hfma_pred_on.sum", d(t[kOpHfma] + t[kOpHfma2])},
  };
  // Each counted kind per thread and per warp (counters.hpp: how warps are counted).
  static constexpr const char* kKinds[kOpKinds] = {
      "hadd", "hmul", "hfma", "hadd2", "hmul2", "hfma2", "f16_convert", "int_intrinsic", "shfl"};
  for (int k = 0; k < kOpKinds; ++k)
    named.emplace_back(fmt::format("emu__thread_op_{}.sum", kKinds[k]), d(t[k]));
  for (int k = 0; k < kOpKinds; ++k)
    named.emplace_back(fmt::format("emu__warp_op_{}.sum", kKinds[k]), d(w[k]));
  return named;
}

nlohmann::ordered_json counters_json(const LaunchCounters& counters) {
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  for (const auto& [name, value] : named_counters(counters))
    j[name] = value;
  return j;
}

} // namespace lutgemm::emu
