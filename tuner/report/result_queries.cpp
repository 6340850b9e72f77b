#include "report/result_queries.hpp"

#include "common/error.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <tuple>

namespace lutgemm::report {

std::string_view to_string(TimeSource source) {
  return source == TimeSource::measured ? "measured" : "modelled";
}

TimeSource time_source_from_string(std::string_view text) {
  if (text == "measured")
    return TimeSource::measured;
  if (text == "modelled")
    return TimeSource::modelled;
  throw UsageError(fmt::format("unknown time source '{}' (allowed: measured, modelled)", text));
}

std::vector<ResultRow> InMemoryResults::results(std::string_view device) const {
  std::vector<ResultRow> out;
  for (const auto& row : rows_) {
    if (row.device == device)
      out.push_back(row);
  }
  std::stable_sort(out.begin(), out.end(), [](const ResultRow& a, const ResultRow& b) {
    return std::tie(a.problem.m, a.problem.k, a.problem.batch, a.problem.bits, a.problem.group,
                    a.kernel, a.variant_label) < std::tie(b.problem.m, b.problem.k, b.problem.batch,
                                                          b.problem.bits, b.problem.group, b.kernel,
                                                          b.variant_label);
  });
  return out;
}

bool answers(const ResultRow& row, const Problem& wanted, std::string_view kernel) {
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

std::optional<ResultRow> best_result(const std::vector<ResultRow>& rows, const Problem& wanted,
                                     std::string_view kernel, TimeSource source) {
  const ResultRow* best = nullptr;
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
