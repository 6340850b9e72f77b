#include "search/emulated_counters.hpp"

namespace lutgemm::search {

double weight_slots(const Problem& shape, const LutParams& params) {
  const std::int64_t rows_per_block = std::int64_t(params.threads) * params.rows_per_thread;
  const std::int64_t blocks = (shape.m + rows_per_block - 1) / rows_per_block;
  return double(blocks) * double(rows_per_block) * double(shape.k);
}

model::ObservedCounters observed_from(const emu::LaunchCounters& c, const Problem& shape,
                                      const LutParams& params) {
  model::ObservedCounters o;
  const double slots = weight_slots(shape, params);
  if (slots <= 0)
    return o;
  if (c.shared_load.requests > 0) {
    o.smem_load_conflict_factor = c.shared_load.excess_factor();
    o.smem_loads_per_weight = double(c.shared_load.lane_accesses) / slots;
  }
  if (c.shared_store.requests > 0) {
    o.smem_store_conflict_factor = c.shared_store.excess_factor();
    o.smem_stores_per_weight = double(c.shared_store.lane_accesses) / slots;
  }
  if (c.global_load.requests > 0) {
    o.global_load_sectors_per_request = c.global_load.units_per_request();
    o.global_load_bytes_per_weight = double(c.global_load.bytes) / slots;
  }
  const double outputs = double(shape.m) * shape.batch;
  if (outputs > 0)
    o.atomics_per_output = double(c.global_atomic.lane_accesses) / outputs;
  return o;
}

} // namespace lutgemm::search
