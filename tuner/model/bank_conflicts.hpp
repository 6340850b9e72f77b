#pragma once
// Expected shared-memory bank conflicts of a warp doing random table lookups.
#include <cstdint>

namespace lutgemm::model {

// Expected number of shared-memory wavefronts one warp-wide lookup needs when each of the 32 lanes
// reads a uniformly random entry of a table of `entries` entries of `entry_bytes` bytes, and the
// warp's lanes are split evenly over `copies` replicas of the table, interleaved entry by entry
// (entry e of copy c at byte (e * copies + c) * entry_bytes; lane l reads copy l % copies),
// the layout that gives each lane its own bank when copies = 32 and entries are 4 bytes. Lanes
// reading the same 4-byte word are served by one broadcast; distinct words in the same bank
// serialise. 1.0 means conflict-free for 2- and 4-byte entries; 8-byte entries are served per half
// warp and 16-byte ones per quarter warp, so their conflict-free minimum is 2 and 4 wavefronts.
// Computed by a fixed-seed Monte Carlo (deterministic), so it is exact enough and the same on every
// machine.
double expected_bank_conflict_factor(int entries, int entry_bytes, int copies = 1);

} // namespace lutgemm::model
