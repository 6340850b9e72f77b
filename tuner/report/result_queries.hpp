#pragma once
// Which stored result answers a report's or an export's request. The results themselves come
// from the store's read-only view (store/result_view.hpp).
#include "problem/problem.hpp"
#include "store/result_view.hpp"

#include <optional>
#include <string_view>
#include <vector>

namespace lutgemm::report {

// Whether a result of `kernel` answers a request for `wanted`: baselines that do not quantize
// (cuBLAS) ignore bits and group; OPTQ ignores the group (per-channel); everything else matches
// the whole problem.
bool answers(const store::ResultRow& row, const Problem& wanted, std::string_view kernel);

// The fastest row that answers (wanted, kernel) with the given source; nullopt when none.
std::optional<store::ResultRow> best_result(const std::vector<store::ResultRow>& rows,
                                            const Problem& wanted, std::string_view kernel,
                                            TimeSource source = TimeSource::measured);

} // namespace lutgemm::report
