// Report tables from an in-memory results set: paper numbers from the CSV files, measured cells
// only from measured rows, kernel sums over every layer shard, and renderings that parse.
#include "report/model_layers.hpp"
#include "report/paper_tables.hpp"
#include "report/report_tables.hpp"
#include "report/result_queries.hpp"

#include "common/error.hpp"
#include "targets/gpu_spec.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <map>
#include <random>

using namespace lutgemm;
using namespace lutgemm::report;
using lutgemm::store::InMemoryResults;
using lutgemm::store::ResultRow;

namespace {
constexpr const char* kDevice = "NVIDIA A100-SXM4-80GB";

ResultRow row(std::int64_t m, std::int64_t k, int bits, int group, std::string kernel, double us,
              std::string label = "v0", TimeSource source = TimeSource::measured) {
  ResultRow r;
  r.device = kDevice;
  r.problem = Problem{.m = m, .k = k, .batch = 1, .bits = bits, .group = group};
  r.kernel = std::move(kernel);
  r.variant_label = std::move(label);
  r.median_us = us;
  r.noise_pct = 0.3;
  r.samples = 20;
  r.source = source;
  r.run_id = 7;
  r.run_started = "2026-11-20T10:00:00Z";
  return r;
}

ReportContext context(std::vector<ResultRow> rows) {
  InMemoryResults results;
  results.add_device({kDevice, "", "", "", 0});
  for (auto& r : rows)
    results.add(std::move(r));
  ReportContext c;
  c.device = kDevice;
  c.target = match_device_name(kDevice);
  c.results = results.results(kDevice);
  return c;
}

const std::vector<Cell>& find(const ReportTable& t, std::size_t column, const std::string& text) {
  for (const auto& r : t.rows) {
    if (r[column].text == text)
      return r;
  }
  throw std::runtime_error("no row " + text);
}
} // namespace

TEST(Report, EmptyDatabaseShowsPaperFloorAndModelButNoMeasurement) {
  ReportContext c;
  c.target = &find_target("a100-80gb");
  for (TableId id : all_tables()) {
    const auto t = build_table(id, c);
    ASSERT_FALSE(t.rows.empty());
    for (const auto& col : t.columns)
      EXPECT_FALSE(col.source.empty()) << col.name;
    for (const auto& r : t.rows) {
      ASSERT_EQ(r.size(), t.columns.size());
      for (std::size_t i = 0; i < r.size(); ++i) {
        if (t.columns[i].name.find("measured ms") != std::string::npos) {
          EXPECT_EQ(r[i].text.rfind("not measured", 0), 0u) << r[i].text;
        }
      }
    }
  }
  const auto t1 = build_table(TableId::t1, c);
  const auto& fp16 = find(t1, 0, "cuBLAS FP16");
  EXPECT_EQ(fp16[1].text, "0.7256"); // paper
  // Floor: fp16 weights + x + y over 2039 GB/s, by hand.
  const double bytes = 49152.0 * 12288 * 2 + 12288 * 2 + 49152 * 2;
  EXPECT_NEAR(fp16[4].value.value(), bytes / 2039e9 * 1e3, 1e-9);
  EXPECT_NEAR(fp16[5].value.value(), 0.7256, 0.7256 * 0.15); // model within 15% of the paper
}

TEST(Report, MeasuredCellsComeOnlyFromMeasuredRows) {
  std::mt19937 rng(42);
  std::uniform_real_distribution<double> us(150, 900);
  const double fp16_us = us(rng), q3_fast = us(rng) / 3, q3_slow = q3_fast * 1.2;
  auto c = context({
      row(49152, 12288, 3, 128, "cublas_fp16", fp16_us), // bits ignored for cuBLAS
      row(49152, 12288, 3, 128, "lutgemm", q3_slow, "slow"),
      row(49152, 12288, 3, 128, "lutgemm", q3_fast, "fast"),
      row(49152, 12288, 3, 128, "lutgemm", q3_fast / 2, "emu", TimeSource::modelled),
      row(49152, 12288, 4, 128, "lutgemm", 1.0, "emu4", TimeSource::modelled),
      row(49152, 12288, 3, 64, "lutgemm", 1.0, "other-group"), // answers a different problem
  });
  const auto t = build_table(TableId::t1, c);
  const auto& q3 = find(t, 0, "LUT-GEMM INT3");
  EXPECT_DOUBLE_EQ(q3[2].value.value(), q3_fast / 1e3);
  EXPECT_DOUBLE_EQ(q3[3].value.value(), fp16_us / q3_fast);
  EXPECT_EQ(q3[7].text, "fast");
  const double model_ms = q3[5].value.value();
  EXPECT_NEAR(q3[6].value.value(), (model_ms * 1e3 - q3_fast) / q3_fast * 100, 1e-9);
  // q4 has only a modelled result: it must not appear as a measurement.
  EXPECT_EQ(find(t, 0, "LUT-GEMM INT4")[2].text, "not measured");
  EXPECT_NE(t.notes.back().find("modelled"), std::string::npos);
  EXPECT_DOUBLE_EQ(find(t, 0, "cuBLAS FP16")[2].value.value(), fp16_us / 1e3);
}

TEST(Report, EndToEndIsTheSumOverEveryLayerShard) {
  std::mt19937 rng(7);
  std::uniform_real_distribution<double> us(20, 200);
  const auto& llama = model_layers("llama-7b");
  std::vector<ResultRow> rows;
  double expected = 0;
  std::map<std::pair<std::int64_t, std::int64_t>, double> by_shape; // gate and up share a shape
  for (const auto& layer : llama.layers) {
    const auto part = shard(layer, 2); // 2 GPUs
    auto [it, fresh] = by_shape.try_emplace({part.m, part.k}, us(rng));
    if (fresh)
      rows.push_back(row(part.m, part.k, 3, 128, "lutgemm", it->second));
    expected += it->second * llama.blocks;
  }
  auto c = context(rows);
  const auto t = build_table(TableId::t3, c);
  bool seen = false;
  for (const auto& r : t.rows) {
    if (r[0].text == "llama-7b" && r[1].text == "LUT-GEMM 3-bit" && r[2].text == "2") {
      EXPECT_NEAR(r[4].value.value(), expected / 1e3, 1e-9);
      EXPECT_EQ(r[3].text, "5.1"); // paper
      seen = true;
    } else {
      EXPECT_EQ(r[4].text.rfind("not measured", 0), 0u) << r[0].text << " " << r[1].text;
    }
  }
  EXPECT_TRUE(seen);
  // One layer shape missing: not measured, never partly summed.
  rows.pop_back();
  const auto partial = build_table(TableId::t3, context(rows));
  for (const auto& r : partial.rows) {
    if (r[0].text == "llama-7b" && r[1].text == "LUT-GEMM 3-bit" && r[2].text == "2") {
      EXPECT_EQ(r[4].text, "not measured (1 of 5 layer shapes)");
      seen = false;
    }
  }
  EXPECT_FALSE(seen) << "the partial row was not found";
  // Shards: column-parallel layers split M, row-parallel split K.
  const auto& opt = model_layers("opt-175b");
  EXPECT_EQ(shard(opt.layers[2], 8).m, 49152 / 8);
  EXPECT_EQ(shard(opt.layers[3], 8).k, 49152 / 8);
  EXPECT_EQ(shard(opt.layers[3], 8).m, 12288);
}

TEST(Report, OomMatchesThePaperWhereWeightsExceedMemory) {
  ReportContext c;
  c.target = &find_target("a100-80gb");
  const auto t = build_table(TableId::t4, c);
  for (const auto& r : t.rows) {
    const bool model_oom = r[7].text.find("OOM") != std::string::npos;
    if (r[3].text == "OOM") {
      EXPECT_TRUE(model_oom) << r[1].text << " on " << r[2].text;
    } else if (r[3].text != "-") {
      EXPECT_FALSE(model_oom) << r[1].text << " on " << r[2].text;
    }
  }
}

TEST(Report, RenderingsParseAndCarrySources) {
  auto c = context({row(49152, 12288, 3, 128, "lutgemm", 250.0)});
  std::vector<ReportTable> tables;
  for (TableId id : all_tables())
    tables.push_back(build_table(id, c));
  tables.push_back(build_results_table(c));
  const auto j = nlohmann::json::parse(render(tables, Format::json, c));
  ASSERT_EQ(j["tables"].size(), 6u);
  EXPECT_EQ(j["device"], kDevice);
  EXPECT_EQ(j["target"], "a100-80gb");
  for (const auto& t : j["tables"])
    for (const auto& col : t["columns"])
      EXPECT_FALSE(col["source"].get<std::string>().empty());
  const auto& results = j["tables"][5]["rows"];
  ASSERT_EQ(results.size(), 1u);
  EXPECT_DOUBLE_EQ(results[0]["median ms"]["value"].get<double>(), 0.25);
  EXPECT_EQ(results[0]["source"]["text"], "measured");

  const auto csv = render(tables, Format::csv, c);
  // Each table block: comment lines, then a header and rows with the same number of cells.
  std::size_t blocks = 0;
  std::istringstream in(csv);
  std::string line;
  std::size_t header_cells = 0;
  bool expect_header = true;
  while (std::getline(in, line)) {
    if (line.empty()) {
      expect_header = true;
      continue;
    }
    if (line[0] == '#')
      continue;
    std::size_t cells = 1;
    bool quoted = false;
    for (char ch : line) {
      if (ch == '"')
        quoted = !quoted;
      cells += ch == ',' && !quoted;
    }
    if (expect_header) {
      header_cells = cells;
      expect_header = false;
      ++blocks;
    } else {
      EXPECT_EQ(cells, header_cells) << line;
    }
  }
  EXPECT_EQ(blocks, 6u);
  const auto md = render(tables, Format::md, c);
  EXPECT_NE(md.find("### Table 1:"), std::string::npos);
  EXPECT_NE(md.find("Sources:"), std::string::npos);
}

TEST(Report, EnumsAndBadValues) {
  for (TableId id : all_tables())
    EXPECT_EQ(table_id_from_string(to_string(id)), id);
  EXPECT_EQ(table_id_from_string("3/7"), TableId::t3);
  EXPECT_THROW(table_id_from_string("6"), UsageError);
  for (Format f : {Format::md, Format::csv, Format::json})
    EXPECT_EQ(format_from_string(to_string(f)), f);
  EXPECT_THROW(format_from_string("xml"), UsageError);
  for (TimeSource s : {TimeSource::measured, TimeSource::modelled, TimeSource::emulated})
    EXPECT_EQ(time_source_from_string(to_string(s)), s); // the one TimeSource (measure/)
  EXPECT_THROW(time_source_from_string("guessed"), UsageError);
  EXPECT_THROW(model_layers("gpt-5"), UsageError);
}
