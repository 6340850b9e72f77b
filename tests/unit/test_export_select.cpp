// What `lutgemm export` picks from a results set: the fastest measured LUT-GEMM variant per
// problem, modelled rows only on request, provenance from the runs, clear errors otherwise.
#include "export/from_results.hpp"

#include "common/error.hpp"

#include <gtest/gtest.h>

using namespace lutgemm;
using namespace lutgemm::store;
using namespace lutgemm::header_export;

namespace {
ResultRow row(std::int64_t m, int bits, std::string kernel, double us, std::string label,
              TimeSource source, std::int64_t run) {
  ResultRow r;
  r.device = "gpu0";
  r.problem = Problem{.m = m, .k = 4096, .batch = 1, .bits = bits, .group = 128};
  r.kernel = std::move(kernel);
  r.variant_label = std::move(label);
  r.params = {{"k_tile", 64}};
  r.median_us = us;
  r.source = source;
  r.run_id = run;
  r.run_started = "2026-11-2" + std::to_string(run) + "T00:00:00Z";
  r.git_sha = "sha" + std::to_string(run);
  return r;
}

InMemoryResults sample() {
  InMemoryResults db;
  db.add_device({"gpu0", "h100-sxm", "580.1", "13.0", 0});
  db.add_device({"emu", "", "", "", 0});
  db.add(row(1024, 3, "lutgemm", 30, "b", TimeSource::measured, 1));
  db.add(row(1024, 3, "lutgemm", 20, "a", TimeSource::measured, 2));
  db.add(row(1024, 3, "lutgemm", 5, "m", TimeSource::modelled, 3)); // faster but only modelled
  db.add(row(1024, 3, "cublas_fp16", 1, "cublas", TimeSource::measured, 1)); // not LUT-GEMM
  db.add(row(2048, 4, "lutgemm", 7, "only-modelled", TimeSource::modelled, 3));
  return db;
}
} // namespace

TEST(ExportSelect, FastestMeasuredPerProblem) {
  const auto db = sample();
  const auto s = select_for_export(db, "gpu0", false);
  ASSERT_EQ(s.entries.size(), 1u);
  EXPECT_EQ(s.entries[0].label, "a");
  EXPECT_TRUE(s.entries[0].measured);
  EXPECT_EQ(s.entries[0].params.at(0).second, 64);
  EXPECT_EQ(s.provenance.device, "gpu0");
  EXPECT_EQ(s.provenance.driver_version, "580.1");
  ASSERT_EQ(s.provenance.runs.size(), 1u);
  EXPECT_EQ(s.provenance.runs[0].first, 2);
  EXPECT_EQ(s.provenance.runs[0].second, "2026-11-22T00:00:00Z");
  EXPECT_EQ(s.provenance.git_sha, "sha2");
}

TEST(ExportSelect, ModelledOnlyOnRequestAndNeverOverAMeasurement) {
  const auto db = sample();
  const auto s = select_for_export(db, "gpu0", true);
  ASSERT_EQ(s.entries.size(), 2u);
  EXPECT_EQ(s.entries[0].label, "a"); // measured beats a faster modelled time
  EXPECT_EQ(s.entries[1].label, "only-modelled");
  EXPECT_FALSE(s.entries[1].measured);
}

TEST(ExportSelect, ClearErrors) {
  auto db = sample();
  try {
    select_for_export(db, "gpu9", false);
    FAIL();
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("'gpu0', 'emu'"), std::string::npos) << e.what();
  }
  EXPECT_THROW(select_for_export(db, "emu", false), UsageError);
  InMemoryResults only_modelled;
  only_modelled.add_device({"gpu0", "", "", "", 0});
  only_modelled.add(row(64, 3, "lutgemm", 1, "x", TimeSource::modelled, 1));
  try {
    select_for_export(only_modelled, "gpu0", false);
    FAIL();
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("--allow-modelled"), std::string::npos) << e.what();
  }
}
