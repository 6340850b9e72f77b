// Placeholder until the tuner's store (tuner/store/) is merged: then the SQLite implementation in
// tuner/store/report_queries.cpp replaces this file.
#include "common/error.hpp"
#include "report/result_queries.hpp"

namespace lutgemm::report {

std::unique_ptr<ResultQueries> open_result_database(const std::string& path) {
  throw RuntimeError("cannot read '" + path +
                     "': this build has no results store yet (the tuner's store is not merged)");
}

} // namespace lutgemm::report
