#pragma once
// The paper's tables (results/paper/*.csv, embedded into the binary): a tiny CSV reader and
// accessors. Lines starting with '#' name the source and are skipped by readers (kept in
// CsvTable::comments). A cell in double quotes may hold commas (the calibration points' sources).
#include <string>
#include <string_view>
#include <vector>

namespace lutgemm::report {

struct CsvTable {
  std::string name;                  // file name, e.g. "table1_kernel_latency.csv"
  std::vector<std::string> comments; // the '#' lines, without the '#'
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;

  // Column index by header name; throws RuntimeError naming the table and the column.
  std::size_t column(std::string_view name) const;
  const std::string& cell(std::size_t row, std::string_view column_name) const;
  // The cell as a number; throws RuntimeError when it is empty or not a number.
  double number(std::size_t row, std::string_view column_name) const;
};

// Parses CSV text; throws RuntimeError when a row's cell count differs from the header's.
CsvTable parse_csv(std::string_view text, std::string name = "");

// File names of the paper's tables, in table order.
inline constexpr const char* kPaperTable1 = "table1_kernel_latency.csv";
inline constexpr const char* kPaperTable2 = "table2_energy.csv";
inline constexpr const char* kPaperTable3 = "table3_7_llama_e2e.csv";
inline constexpr const char* kPaperTable4 = "table4_opt175b_e2e.csv";
inline constexpr const char* kPaperTable5 = "table5_group_size.csv";
std::vector<std::string> paper_table_files();

// One of the paper's tables, from the copy embedded in the binary (results/paper/<file>).
CsvTable paper_table(std::string_view file_name);

} // namespace lutgemm::report
