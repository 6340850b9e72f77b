#pragma once
// `lutgemm tune --devices LIST`: which devices of this node get a worker (one tuner process each,
// all on one database, sharing the work through claims). Checked before any database exists.
#include <string>
#include <vector>

namespace lutgemm::search {

// `text`: "all", a comma-separated list of distinct device ordinals ("0,1,2,3"), or on the emu
// backend a bare count N ("2": N emulator workers, ordinals 0..N-1). `device_count`: the CUDA
// devices of this node (cuda), ignored on emu, which has no devices (so "all" is refused there).
// Returns the ordinals in the given order; UsageError naming the value otherwise (empty items,
// negatives, non-numbers, duplicates, an ordinal past the device count, "all" with no devices).
std::vector<int> parse_device_list(const std::string& text, bool emu, int device_count);

} // namespace lutgemm::search
