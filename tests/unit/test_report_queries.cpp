// The SQLite results view (tuner/store/sqlite_result_view.cpp) on a hand-made database, and
// `lutgemm report` / `lutgemm export` end to end on the same file.
#include "common/error.hpp"
#include "handmade_db.hpp"
#include "report/result_queries.hpp"
#include "store/result_view.hpp"
#include "store/sqlite.hpp"

#include "support/cli_run.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sys/wait.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>

using namespace lutgemm;
using namespace lutgemm::store;
namespace fs = std::filesystem;

namespace {

fs::path temp_path(const std::string& name) {
  return fs::path(LUTGEMM_TEST_BINARY_DIR) / ("test_report_queries." + name);
}

const ResultRow* find(const std::vector<ResultRow>& rows, const Problem& p,
                      const std::string& label) {
  for (const auto& r : rows)
    if (r.problem == p && r.variant_label == label)
      return &r;
  return nullptr;
}

using Result = lutgemm::test::CliResult;
using lutgemm::test::slurp;
Result run(const std::string& args) {
  return lutgemm::test::run_lutgemm(args);
}

} // namespace

TEST(ReportQueries, DevicesWithResultsAndTheirRuns) {
  const auto db = temp_path("devices.db");
  handmade::write_handmade_db(db);
  const auto q = open_result_database(db.string());
  const auto devices = q->devices();
  ASSERT_EQ(devices.size(), 2u);
  EXPECT_EQ(devices[0].name, handmade::kGpuName);
  EXPECT_EQ(devices[0].target_key, ""); // a GPU: matched by name, not named by the database
  EXPECT_EQ(devices[0].memory_bytes, 85899345920);
  EXPECT_EQ(devices[0].driver_version, "575.51"); // the latest run's
  EXPECT_EQ(devices[0].cuda_version, "13.0");
  EXPECT_EQ(devices[1].name, handmade::kModelName);
  EXPECT_EQ(devices[1].target_key, "a100-80gb");
}

TEST(ReportQueries, LatestVerifiedTimePerVariantOnly) {
  const auto db = temp_path("results.db");
  handmade::write_handmade_db(db);
  const auto q = open_result_database(db.string());
  const auto rows = q->results(handmade::kGpuName);
  const Problem t1 = handmade::table1_problem(), p2 = handmade::second_problem();
  ASSERT_EQ(rows.size(), 5u); // lut-a, lut-b, cuBLAS on t1; lut-a, cuBLAS on p2
  const auto* a = find(rows, t1, "lut-a");
  ASSERT_NE(a, nullptr);
  EXPECT_DOUBLE_EQ(a->median_us, 250.0); // run 2's re-measurement, not its sweep nor run 1
  EXPECT_EQ(a->kernel, "lutgemm");
  EXPECT_EQ(a->source, TimeSource::measured);
  EXPECT_EQ(a->run_id, 2);
  EXPECT_EQ(a->git_sha, "0123abcd");
  EXPECT_EQ(a->driver_version, "575.51");
  EXPECT_FALSE(a->run_started.empty());
  const std::vector<std::pair<std::string, std::int64_t>> params{
      {"half_tables", 1}, {"k_tile", 256}, {"mu", 8}, {"rows_per_block", 8}};
  EXPECT_EQ(a->params, params);
  const auto* cublas = find(rows, t1, "default");
  ASSERT_NE(cublas, nullptr);
  EXPECT_EQ(cublas->kernel, "cublas_fp16"); // the report's name for the paper's reference
  EXPECT_DOUBLE_EQ(cublas->median_us, 700.0);
  EXPECT_EQ(find(rows, t1, "lut-bad"), nullptr); // wrong result: not a result
  EXPECT_EQ(find(rows, p2, "lut-b"), nullptr);   // emulated wall time: never a GPU figure
  EXPECT_EQ(report::best_result(rows, t1, "lutgemm")->variant_label, "lut-a");
  // Deterministic order (sorted by problem): the same query gives the same rows.
  const auto again = q->results(handmade::kGpuName);
  ASSERT_EQ(again.size(), rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i)
    EXPECT_EQ(again[i].variant_label, rows[i].variant_label);

  const auto modelled = q->results(handmade::kModelName);
  ASSERT_EQ(modelled.size(), 1u);
  EXPECT_EQ(modelled[0].source, TimeSource::modelled);
  EXPECT_DOUBLE_EQ(modelled[0].median_us, 200.0);
  EXPECT_TRUE(q->results("no such device").empty());
}

TEST(ReportQueries, BadFilesAreUsageErrors) {
  EXPECT_THROW(open_result_database(temp_path("missing.db").string()), UsageError);
  const auto text = temp_path("text.db");
  std::ofstream(text) << "not a database, just text that is long enough to be read as a header";
  EXPECT_THROW(open_result_database(text.string()), UsageError);
  const auto other = temp_path("other.db");
  fs::remove(other);
  {
    store::Database db(other.string());
    db.exec("CREATE TABLE t (x INTEGER)");
  }
  EXPECT_THROW(open_result_database(other.string()), UsageError);
}

TEST(ReportQueries, ReportAndExportEndToEnd) {
  const auto db = temp_path("e2e.db");
  handmade::write_handmade_db(db);
  const std::string gpu = std::string("--device '") + handmade::kGpuName + "'";
  const Result all = run("report --table all --db '" + db.string() + "' " + gpu);
  ASSERT_EQ(all.exit_code, 0) << all.err;
  EXPECT_NE(all.out.find("0.250"), std::string::npos) << all.out; // Table 1's LUT-GEMM, ms
  EXPECT_NE(all.out.find("not measured"), std::string::npos);
  for (const char* format : {"csv", "json"}) {
    const Result r = run("report --table all --format " + std::string(format) + " --db '" +
                         db.string() + "' " + gpu);
    EXPECT_EQ(r.exit_code, 0) << format << ": " << r.err;
    EXPECT_FALSE(r.out.empty());
    if (std::string(format) == "json") {
      EXPECT_TRUE(nlohmann::json::accept(r.out)) << r.out;
    }
  }
  const Result listing =
      run("report --table results --format json --db '" + db.string() + "' " + gpu);
  ASSERT_EQ(listing.exit_code, 0) << listing.err;
  EXPECT_NE(listing.out.find("lut-a"), std::string::npos);
  // Two devices: the report asks which, in one line.
  const Result ambiguous = run("report --db '" + db.string() + "'");
  EXPECT_EQ(ambiguous.exit_code, 2);
  EXPECT_NE(ambiguous.err.find("--device"), std::string::npos);

  const auto header = temp_path("tuned.hpp");
  fs::remove(header);
  const Result ex =
      run("export --db '" + db.string() + "' " + gpu + " --out '" + header.string() + "'");
  ASSERT_EQ(ex.exit_code, 0) << ex.err;
  const std::string text = slurp(header);
  EXPECT_NE(text.find("lut-a"), std::string::npos);
  EXPECT_NE(text.find(handmade::kGpuName), std::string::npos);
  // Deterministic: the same database gives the same bytes.
  const auto header2 = temp_path("tuned2.hpp");
  ASSERT_EQ(run("export --db '" + db.string() + "' " + gpu + " --out '" + header2.string() + "'")
                .exit_code,
            0);
  EXPECT_EQ(slurp(header2), text);
  // --with-kernels: the same table, then the embedded kernels and the dispatch.
  const auto header3 = temp_path("tuned3.hpp");
  ASSERT_EQ(run("export --with-kernels --db '" + db.string() + "' " + gpu + " --out '" +
                header3.string() + "'")
                .exit_code,
            0);
  const std::string with_kernels = slurp(header3);
  // From `#pragma once` on, the plain header is the start of the one with kernels.
  const auto body = [](const std::string& h) { return h.substr(h.find("#pragma once")); };
  EXPECT_TRUE(body(with_kernels).starts_with(body(text)));
  EXPECT_EQ(text.find("__global__"), std::string::npos);
  EXPECT_NE(with_kernels.find("__global__"), std::string::npos);
  EXPECT_NE(with_kernels.find("int dispatch(const KernelConfig& config"), std::string::npos);
}

TEST(ReportQueries, EmptyDatabaseReportsNotMeasured) {
  const auto db = temp_path("empty.db");
  for (const auto& p : {db, fs::path(db.string() + "-wal"), fs::path(db.string() + "-shm")})
    fs::remove(p);
  (void)store::Store::open(db.string()); // the schema, no rows
  EXPECT_TRUE(open_result_database(db.string())->devices().empty());
  const Result r = run("report --table all --db '" + db.string() + "'");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("not measured"), std::string::npos);
}
