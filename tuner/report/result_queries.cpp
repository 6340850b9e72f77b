#include "report/result_queries.hpp"

namespace lutgemm::report {

bool answers(const store::ResultRow& row, const Problem& wanted, std::string_view kernel) {
  if (row.kernel != kernel)
    return false;
  const Problem& p = row.problem;
  if (p.m != wanted.m || p.k != wanted.k || p.batch != wanted.batch)
    return false;
  if (kernel.starts_with("cublas"))
    return true;
  if (kernel.starts_with("optq"))
    return p.bits == wanted.bits;
  return p.bits == wanted.bits && p.group == wanted.group && p.has_offset == wanted.has_offset;
}

std::optional<store::ResultRow> best_result(const std::vector<store::ResultRow>& rows,
                                            const Problem& wanted, std::string_view kernel,
                                            TimeSource source) {
  const store::ResultRow* best = nullptr;
  for (const auto& row : rows) {
    if (row.source != source || !answers(row, wanted, kernel))
      continue;
    if (!best || row.median_us < best->median_us ||
        (row.median_us == best->median_us && row.variant_label < best->variant_label))
      best = &row;
  }
  if (!best)
    return std::nullopt;
  return *best;
}

} // namespace lutgemm::report
