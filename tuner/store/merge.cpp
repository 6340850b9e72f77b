#include "store/merge.hpp"

#include "common/error.hpp"
#include "store/schema.hpp"
#include "store/sqlite.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <set>

namespace lutgemm::store {
namespace {

using IdMap = std::map<std::int64_t, std::int64_t>;

// A raw prepared statement: rows are copied value by value (sqlite3_bind_value), whatever the
// column types, which the typed Statement does not offer.
struct Finalize {
  void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
};
using Raw = std::unique_ptr<sqlite3_stmt, Finalize>;

Raw prepare(Database& db, const std::string& sql) {
  sqlite3_stmt* stmt = nullptr;
  LUTGEMM_SQLITE_CHECK(db.handle(),
                       sqlite3_prepare_v2(db.handle(), sql.c_str(), -1, &stmt, nullptr));
  return Raw(stmt);
}

bool step(Database& db, sqlite3_stmt* stmt) {
  const int rc = sqlite3_step(stmt);
  LUTGEMM_SQLITE_CHECK(db.handle(), rc);
  return rc == SQLITE_ROW;
}

std::vector<std::string> columns_of(Database& db, const std::string& table) {
  std::vector<std::string> columns;
  Statement info(db, "SELECT name FROM pragma_table_info(?1) ORDER BY cid");
  info.bind(1, table);
  while (info.step())
    columns.push_back(info.column_text(0));
  return columns;
}

std::string joined(const std::vector<std::string>& names, const std::string& separator,
                   const std::string& pattern) {
  std::string text;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0)
      text += separator;
    text += fmt::format(fmt::runtime(pattern), names[i], i + 1);
  }
  return text;
}

// How one table is matched and which of its columns hold ids of tables copied before it.
struct TableRule {
  std::string table;
  std::vector<std::string> natural_key;
  std::map<std::string, const IdMap*> remap;
};

// Copies the rows of `rule.table` from `in` that `out` lacks (matched on the natural key after
// remapping); returns input id -> output id for tables with an id column. Adds the new rows to
// `added`.
IdMap copy_table(Database& in, Database& out, const TableRule& rule, long long& added) {
  std::vector<std::string> columns;
  bool has_id = false;
  for (const auto& column : columns_of(out, rule.table)) {
    if (column == "id")
      has_id = true;
    else
      columns.push_back(column); // the output's columns: an intact input has them all
  }
  std::map<std::string, int> position;
  for (std::size_t i = 0; i < columns.size(); ++i)
    position[columns[i]] = static_cast<int>(i);

  Raw select = prepare(in, fmt::format("SELECT {}{} FROM {} ORDER BY rowid", has_id ? "id, " : "",
                                       joined(columns, ", ", "{0}"), rule.table));
  Raw find = prepare(out, fmt::format("SELECT {} FROM {} WHERE {}", has_id ? "id" : "1", rule.table,
                                      joined(rule.natural_key, " AND ", "{0} IS ?{1}")));
  Raw insert =
      prepare(out, fmt::format("INSERT INTO {} ({}) VALUES ({})", rule.table,
                               joined(columns, ", ", "{0}"), joined(columns, ", ", "?{1}")));
  const int first = has_id ? 1 : 0;
  IdMap ids;
  while (step(in, select.get())) {
    // Bind one column of the input row (remapped where it is an id) to `target` at `index`.
    auto bind = [&](sqlite3_stmt* target, int index, const std::string& column) {
      const int source = first + position.at(column);
      auto rule_map = rule.remap.find(column);
      if (rule_map == rule.remap.end() ||
          sqlite3_column_type(select.get(), source) == SQLITE_NULL) {
        LUTGEMM_SQLITE_CHECK(
            out.handle(),
            sqlite3_bind_value(target, index, sqlite3_column_value(select.get(), source)));
        return;
      }
      const auto old_id = sqlite3_column_int64(select.get(), source);
      auto mapped = rule_map->second->find(old_id);
      if (mapped == rule_map->second->end()) {
        throw RuntimeError(fmt::format("'{}' is damaged: {}.{} = {} names no row", in.path(),
                                       rule.table, column, old_id));
      }
      LUTGEMM_SQLITE_CHECK(out.handle(), sqlite3_bind_int64(target, index, mapped->second));
    };
    sqlite3_reset(find.get());
    sqlite3_clear_bindings(find.get());
    for (std::size_t i = 0; i < rule.natural_key.size(); ++i)
      bind(find.get(), static_cast<int>(i) + 1, rule.natural_key[i]);
    std::optional<std::int64_t> out_id;
    if (step(out, find.get())) {
      out_id = sqlite3_column_int64(find.get(), 0);
    } else {
      sqlite3_reset(insert.get());
      sqlite3_clear_bindings(insert.get());
      for (std::size_t i = 0; i < columns.size(); ++i)
        bind(insert.get(), static_cast<int>(i) + 1, columns[i]);
      step(out, insert.get());
      out_id = out.last_insert_rowid();
      ++added;
    }
    if (has_id)
      ids[sqlite3_column_int64(select.get(), 0)] = *out_id;
  }
  return ids;
}

} // namespace

void check_merge_input(const std::string& path) {
  std::error_code error;
  if (!std::filesystem::is_regular_file(path, error))
    throw UsageError(fmt::format("merge input '{}' is not a file", path));
  Database db(path, Database::Mode::read_only);
  const SchemaProbe probe = probe_schema(db); // a file that is not SQLite: UsageError
  if (!probe.is_lutgemm)
    throw UsageError(fmt::format("merge input '{}' is not a lutgemm database", path));
  if (probe.version != kSchemaVersion) {
    throw UsageError(
        fmt::format("merge input '{}' has schema version {}; this lutgemm merges version {} only",
                    path, probe.version, kSchemaVersion));
  }
  check_schema_intact(db, probe.version);
  std::string verdict = "unreadable";
  try {
    Statement check(db, "PRAGMA quick_check(1)");
    if (check.step())
      verdict = check.column_text(0);
  } catch (const RuntimeError& e) {
    verdict = e.what();
  }
  for (auto& c : verdict) // SQLite's report has line breaks; the message is one line
    if (c == '\n')
      c = ' ';
  if (verdict != "ok")
    throw UsageError(fmt::format("merge input '{}' is corrupt ({})", path, verdict));
}

MergeCounts merge_databases(const std::string& out_path, const std::vector<std::string>& inputs) {
  if (inputs.empty())
    throw UsageError("merge needs at least one input database");
  std::error_code error;
  const bool out_existed = std::filesystem::exists(out_path, error);
  for (const auto& input : inputs) {
    check_merge_input(input);
    if (out_existed && std::filesystem::equivalent(input, out_path, error))
      throw UsageError(fmt::format("merge input '{}' is the output database itself", input));
  }

  MergeCounts counts;
  try {
    Database out(out_path);
    ensure_schema(out); // refuses, without writing, a file that is not a lutgemm database
    Transaction transaction(out);
    for (const auto& input : inputs) {
      Database in(input, Database::Mode::read_only);
      const IdMap devices = copy_table(in, out, {"devices", {"key"}, {}}, counts.devices);
      const IdMap problems = copy_table(in, out, {"problems", {"key"}, {}}, counts.problems);
      const IdMap variants =
          copy_table(in, out, {"variants", {"family", "label"}, {}}, counts.variants);
      const IdMap runs = copy_table(in, out,
                                    {"runs",
                                     {"host", "pid", "started_at", "command_line", "shard"},
                                     {{"device_id", &devices}}},
                                    counts.runs);
      copy_table(in, out,
                 {"measurements",
                  {"run_id", "problem_id", "variant_id", "phase"},
                  {{"run_id", &runs},
                   {"device_id", &devices},
                   {"problem_id", &problems},
                   {"variant_id", &variants}}},
                 counts.measurements);
      copy_table(in, out, {"compile_cache", {"key_hash"}, {}}, counts.compile_cache);
      copy_table(
          in, out,
          {"calibrations", {"device_id", "constants", "created_at"}, {{"device_id", &devices}}},
          counts.calibrations);
    }
    transaction.commit();
  } catch (...) {
    if (!out_existed) { // a file this merge created holds nothing of value
      for (const char* suffix : {"", "-wal", "-shm"})
        std::filesystem::remove(out_path + suffix, error);
    }
    throw;
  }
  return counts;
}

} // namespace lutgemm::store
