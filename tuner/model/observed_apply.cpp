#include "model/observed_apply.hpp"

namespace lutgemm::model {

void apply_observed(KernelWorkload& w, const ObservedCounters& o, double weights, double outputs) {
  // The model's shared-memory time is warp-wide requests times their wavefronts: loads (lookups
  // and table-build reads together, as counted) with the load conflict factor, stores (table
  // builds) with the store factor folded in.
  if (o.smem_loads_per_weight)
    w.smem_lookups = *o.smem_loads_per_weight * weights;
  if (o.smem_load_conflict_factor)
    w.bank_conflict_factor = *o.smem_load_conflict_factor;
  if (o.smem_stores_per_weight)
    w.smem_build_ops =
        *o.smem_stores_per_weight * weights * o.smem_store_conflict_factor.value_or(1.0);
  if (o.atomics_per_output)
    w.atomics = *o.atomics_per_output * outputs;
}

} // namespace lutgemm::model
