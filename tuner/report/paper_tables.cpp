#include "report/paper_tables.hpp"

#include "common/embedded_sources.hpp"
#include "common/error.hpp"

#include <fmt/format.h>

#include <charconv>

namespace lutgemm::report {
namespace {

// Cells split at commas; a cell in double quotes may hold commas ("" is a literal quote), as in
// results/calibration/published_points.csv, whose source column names papers and files.
std::vector<std::string> split(std::string_view line) {
  std::vector<std::string> cells(1);
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (c == '"' && quoted && i + 1 < line.size() && line[i + 1] == '"') {
      cells.back().push_back('"');
      ++i;
    } else if (c == '"') {
      quoted = !quoted;
    } else if (c == ',' && !quoted) {
      cells.emplace_back();
    } else {
      cells.back().push_back(c);
    }
  }
  return cells;
}

} // namespace

std::size_t CsvTable::column(std::string_view wanted) const {
  for (std::size_t i = 0; i < header.size(); ++i) {
    if (header[i] == wanted)
      return i;
  }
  throw RuntimeError(fmt::format("table {} has no column '{}'", name, wanted));
}

const std::string& CsvTable::cell(std::size_t row, std::string_view column_name) const {
  if (row >= rows.size())
    throw RuntimeError(fmt::format("table {} has no row {}", name, row));
  return rows[row][column(column_name)];
}

double CsvTable::number(std::size_t row, std::string_view column_name) const {
  const std::string& text = cell(row, column_name);
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) {
    throw RuntimeError(fmt::format("table {} row {} column {}: '{}' is not a number", name, row,
                                   column_name, text));
  }
  return value;
}

CsvTable parse_csv(std::string_view text, std::string name) {
  CsvTable table;
  table.name = std::move(name);
  std::size_t line_number = 0;
  while (!text.empty()) {
    const auto newline = text.find('\n');
    std::string_view line = text.substr(0, newline);
    text = newline == std::string_view::npos ? std::string_view() : text.substr(newline + 1);
    ++line_number;
    if (!line.empty() && line.back() == '\r')
      line.remove_suffix(1);
    if (line.empty())
      continue;
    if (line.front() == '#') {
      line.remove_prefix(1);
      while (!line.empty() && line.front() == ' ')
        line.remove_prefix(1);
      table.comments.emplace_back(line);
      continue;
    }
    auto cells = split(line);
    if (table.header.empty()) {
      table.header = std::move(cells);
    } else if (cells.size() != table.header.size()) {
      throw RuntimeError(fmt::format("{} line {}: {} cells, the header has {}", table.name,
                                     line_number, cells.size(), table.header.size()));
    } else {
      table.rows.push_back(std::move(cells));
    }
  }
  return table;
}

std::vector<std::string> paper_table_files() {
  return {kPaperTable1, kPaperTable2, kPaperTable3, kPaperTable4, kPaperTable5};
}

CsvTable paper_table(std::string_view file_name) {
  const std::string path = "results/paper/" + std::string(file_name);
  return parse_csv(embedded::get(path), std::string(file_name));
}

} // namespace lutgemm::report
