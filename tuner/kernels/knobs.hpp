#pragma once
// Knobs of a kernel family declared as data: each knob's name and its allowed values as text, so
// that the tuner builds its search space from these lists (and a variant's values round-trip
// through the database as text).
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace lutgemm {

struct Knob {
  std::string name;
  std::vector<std::string> values;
};

using KnobValues = std::map<std::string, std::string>;

// How partial sums of the K splits (grid.y) reach y (kernels/lutgemm_common.cuh, CombineMode).
enum class Combine { none, atomic, reduce };
std::string to_string(Combine combine);
Combine combine_from_string(const std::string& text); // throws UsageError

// Helpers for the families' from_values(): the value of `name` (throws UsageError if absent) and
// its integer value (throws UsageError if not an allowed integer).
const std::string& knob_text(const KnobValues& values, const std::string& name);
int knob_int(const KnobValues& values, const std::string& name, const std::vector<Knob>& knobs);

// Launch geometry helpers shared by the families.
std::uint32_t elementwise_grid(long long n, int threads); // grid-stride kernels over n elements

} // namespace lutgemm
