#pragma once
// The paper's tables side by side with this device: paper | measured here (with noise) | DRAM floor
// here | model. Every column names its source; a missing measurement reads "not measured" and is
// never filled from the model. End-to-end tables (3/7, 4, 5) are kernel-sum estimates: the sum over
// a model's linear layers of the GEMV latency times the number of blocks, with tensor-parallel
// shards for multi-GPU rows.
#include "report/result_queries.hpp"
#include "targets/gpu_spec.hpp"

#include <optional>
#include <string>
#include <vector>

namespace lutgemm::report {

struct Cell {
  std::string text;            // what md and csv show
  std::optional<double> value; // the number behind it (JSON), when there is one
};

struct Column {
  std::string name;
  std::string source; // where the column's numbers come from
};

struct ReportTable {
  std::string id; // "1", "2", "3", "4", "5"
  std::string title;
  std::vector<std::string> notes;
  std::vector<Column> columns;
  std::vector<std::vector<Cell>> rows;
};

struct ReportContext {
  std::string device;                    // device name in the database; "" when there is none
  const GpuSpec* target = nullptr;       // floors and model; never null
  std::vector<store::ResultRow> results; // the device's results
};

enum class TableId { t1, t2, t3, t4, t5 };
std::string_view to_string(TableId id);         // "1".."5"
TableId table_id_from_string(std::string_view); // accepts "1".."5", "3/7", "7"; UsageError
std::vector<TableId> all_tables();

ReportTable build_table(TableId id, const ReportContext& context);

// Every result of the device (all variants, measured and modelled) with its DRAM floor, model
// prediction and share of the floor: the data behind the plots (scripts/plots.py).
ReportTable build_results_table(const ReportContext& context);

enum class Format { md, csv, json };
std::string_view to_string(Format format);
Format format_from_string(std::string_view text); // throws UsageError

std::string render(const std::vector<ReportTable>& tables, Format format,
                   const ReportContext& context);

} // namespace lutgemm::report
