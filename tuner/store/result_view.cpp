#include "store/result_view.hpp"

#include <algorithm>
#include <tuple>

namespace lutgemm::store {

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

} // namespace lutgemm::store
