#include "emu/counter_names.hpp"

namespace lutgemm::emu {

std::vector<std::pair<std::string, double>> named_counters(const LaunchCounters& c) {
  auto d = [](std::uint64_t v) { return static_cast<double>(v); };
  auto conflicts = [](const MemoryCounters& m) {
    return static_cast<double>(m.units > m.ideal_units ? m.units - m.ideal_units : 0);
  };
  return {
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
  };
}

nlohmann::ordered_json counters_json(const LaunchCounters& counters) {
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  for (const auto& [name, value] : named_counters(counters))
    j[name] = value;
  return j;
}

} // namespace lutgemm::emu
