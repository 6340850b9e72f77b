#pragma once
// `lutgemm merge`: folds the databases of independent tuners (one SQLite file per shard, per node)
// into one. Rows are matched on their natural keys, never on their ids, so that merging the same
// input twice adds nothing and the ids of one input never collide with another's:
//   devices: key; problems: key; variants: (family, label); compile_cache: key_hash;
//   runs: (host, pid, started_at, command_line, shard) -- a run keeps its provenance columns;
//   measurements: (run, problem, variant, phase) after remapping; calibrations: (device,
//   constants, created_at). Claims are leases of live tuners and are not copied.
#include <string>
#include <vector>

namespace lutgemm::store {

// What one merge added (rows new to the output; rows already there are not counted).
struct MergeCounts {
  long long devices = 0, problems = 0, variants = 0, runs = 0, measurements = 0;
  long long compile_cache = 0, calibrations = 0;
};

// Throws UsageError (one line) unless `path` is an intact lutgemm database of this lutgemm's schema
// version that passes SQLite's quick check. Opens the file read-only and writes nothing.
void check_merge_input(const std::string& path);

// Checks every input first (check_merge_input), then creates or opens `out` and copies all inputs
// into it in one transaction: any failure leaves `out` as it was. An input that names `out` itself
// is refused.
MergeCounts merge_databases(const std::string& out, const std::vector<std::string>& inputs);

} // namespace lutgemm::store
