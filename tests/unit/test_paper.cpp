// results/paper/*.csv: every file parses, names its source, matches the embedded copy, and a few
// cells agree with the paper's text (shared/PAPER.md). When PAPER.md is reachable, every number
// in the CSV files must also appear verbatim in it.
#include "report/paper_tables.hpp"

#include "common/error.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

using namespace lutgemm::report;

namespace {
std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}
const std::filesystem::path kPaperDir =
    std::filesystem::path(LUTGEMM_TEST_SOURCE_DIR) / "results" / "paper";

// Row whose cells match all (column, value) pairs; fails the test when there is not exactly one.
std::size_t find_row(const CsvTable& t,
                     std::initializer_list<std::pair<const char*, const char*>> where) {
  std::size_t found = t.rows.size(), count = 0;
  for (std::size_t r = 0; r < t.rows.size(); ++r) {
    bool all = true;
    for (const auto& [column, value] : where)
      all = all && t.cell(r, column) == value;
    if (all) {
      found = r;
      ++count;
    }
  }
  EXPECT_EQ(count, 1u) << t.name;
  return found;
}
} // namespace

TEST(Paper, EveryFileParsesNamesItsSourceAndIsEmbedded) {
  for (const auto& file : paper_table_files()) {
    const auto text = read_file(kPaperDir / file);
    ASSERT_FALSE(text.empty()) << file;
    EXPECT_EQ(text.rfind("# source: Park et al.", 0), 0u) << file << " must start with its source";
    const auto on_disk = parse_csv(text, file);
    const auto embedded = paper_table(file);
    EXPECT_EQ(on_disk.header, embedded.header) << file;
    EXPECT_EQ(on_disk.rows, embedded.rows) << file << ": rebuild to refresh the embedded copy";
    EXPECT_FALSE(on_disk.rows.empty()) << file;
    ASSERT_FALSE(on_disk.comments.empty());
    EXPECT_NE(on_disk.comments[0].find("ICLR 2024"), std::string::npos);
  }
}

TEST(Paper, Table1Cells) {
  const auto t = paper_table(kPaperTable1);
  EXPECT_EQ(t.rows.size(), 8u);
  auto r = find_row(t, {{"kernel", "cuBLAS"}, {"weight", "FP16"}});
  EXPECT_DOUBLE_EQ(t.number(r, "latency_ms"), 0.7256);
  EXPECT_DOUBLE_EQ(t.number(r, "speedup_vs_cublas_fp16"), 1.00);
  r = find_row(t, {{"kernel", "LUT-GEMM"}, {"weight", "INT3"}});
  EXPECT_DOUBLE_EQ(t.number(r, "latency_ms"), 0.2250);
  EXPECT_DOUBLE_EQ(t.number(r, "speedup_vs_cublas_fp16"), 3.22);
  r = find_row(t, {{"kernel", "AWQ"}});
  EXPECT_DOUBLE_EQ(t.number(r, "latency_ms"), 0.3238);
  EXPECT_EQ(t.cell(r, "m"), "49152");
  EXPECT_EQ(t.cell(r, "k"), "12288");
  // The speed-ups are the paper's ratios of latencies, to its two decimals.
  const double fp16 =
      t.number(find_row(t, {{"kernel", "cuBLAS"}, {"weight", "FP16"}}), "latency_ms");
  for (std::size_t i = 0; i < t.rows.size(); ++i)
    EXPECT_NEAR(fp16 / t.number(i, "latency_ms"), t.number(i, "speedup_vs_cublas_fp16"), 0.006)
        << i;
}

TEST(Paper, Table2Cells) {
  const auto t = paper_table(kPaperTable2);
  EXPECT_EQ(t.rows.size(), 4u);
  auto r = find_row(t, {{"kernel", "cuBLAS"}, {"gpus", "8"}});
  EXPECT_DOUBLE_EQ(t.number(r, "speedup"), 3.45);
  EXPECT_DOUBLE_EQ(t.number(r, "energy_mj"), 299.96);
  r = find_row(t, {{"kernel", "LUT-GEMM"}, {"bits", "2"}});
  EXPECT_DOUBLE_EQ(t.number(r, "speedup"), 4.85);
  EXPECT_DOUBLE_EQ(t.number(r, "energy_mj"), 43.49);
}

TEST(Paper, EndToEndTablesCells) {
  const auto t3 = paper_table(kPaperTable3);
  EXPECT_EQ(t3.rows.size(), 4u * 9u);
  auto r =
      find_row(t3, {{"model", "llama-30b"}, {"method", "lutgemm"}, {"bits", "4"}, {"gpus", "2"}});
  EXPECT_DOUBLE_EQ(t3.number(r, "latency_ms"), 15.5);
  r = find_row(t3, {{"model", "llama-65b"}, {"method", "fp16"}, {"gpus", "1"}});
  EXPECT_EQ(t3.cell(r, "status"), "oom");
  EXPECT_THROW((void)t3.number(r, "latency_ms"), lutgemm::RuntimeError);
  r = find_row(t3, {{"model", "llama-7b"}, {"method", "lutgemm"}, {"bits", "3"}, {"gpus", "4"}});
  EXPECT_DOUBLE_EQ(t3.number(r, "latency_ms"), 5.3);

  const auto t4 = paper_table(kPaperTable4);
  EXPECT_EQ(t4.rows.size(), 4u * 6u);
  r = find_row(t4, {{"method", "optq"}, {"gpus", "1"}});
  EXPECT_DOUBLE_EQ(t4.number(r, "latency_ms"), 106.5);
  r = find_row(t4, {{"method", "fp16"}, {"gpus", "8"}});
  EXPECT_DOUBLE_EQ(t4.number(r, "latency_ms"), 42.4);
  r = find_row(t4, {{"method", "lutgemm"}, {"bits", "4"}, {"gpus", "1"}});
  EXPECT_EQ(t4.cell(r, "status"), "oom");
  r = find_row(t4, {{"method", "optq"}, {"gpus", "4"}});
  EXPECT_EQ(t4.cell(r, "status"), "not_reported");

  const auto t5 = paper_table(kPaperTable5);
  EXPECT_DOUBLE_EQ(t5.number(find_row(t5, {{"group", "32"}}), "latency_ms"), 55.2);
  EXPECT_DOUBLE_EQ(t5.number(find_row(t5, {{"group", "64"}}), "latency_ms"), 47.5);
  EXPECT_DOUBLE_EQ(t5.number(find_row(t5, {{"group", "128"}}), "latency_ms"), 46.5);
}

TEST(Paper, EveryLatencyAppearsInPaperText) {
  std::string paper;
  for (const char* candidate :
       {"/../shared/PAPER.md", "/../../shared/PAPER.md", "/../../../shared/PAPER.md"}) {
    paper = read_file(std::string(LUTGEMM_TEST_SOURCE_DIR) + candidate);
    if (!paper.empty())
      break;
  }
  if (paper.empty())
    GTEST_SKIP() << "shared/PAPER.md is not next to the source tree; cell checks above still ran";
  for (const auto& file : paper_table_files()) {
    const auto t = paper_table(file);
    for (const char* column : {"latency_ms", "speedup", "energy_mj", "speedup_vs_cublas_fp16"}) {
      if (std::find(t.header.begin(), t.header.end(), column) == t.header.end())
        continue;
      for (std::size_t r = 0; r < t.rows.size(); ++r) {
        const auto& value = t.cell(r, column);
        if (!value.empty()) {
          EXPECT_NE(paper.find(value), std::string::npos) << file << " row " << r << ": " << value;
        }
      }
    }
  }
}

TEST(Paper, MalformedCsvIsAnError) {
  EXPECT_THROW(parse_csv("a,b\n1,2,3\n", "bad.csv"), lutgemm::RuntimeError);
  const auto t = parse_csv("# note\r\na,b\r\n1,\r\n", "crlf.csv");
  EXPECT_EQ(t.comments.at(0), "note");
  EXPECT_EQ(t.cell(0, "b"), "");
  EXPECT_THROW((void)t.column("c"), lutgemm::RuntimeError);
}
