#include "store/calibrations.hpp"

#include "common/error.hpp"
#include "store/schema.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <map>
#include <utility>

namespace lutgemm::store {
namespace {

std::string lower(std::string s) {
  for (auto& c : s)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool has_table(Database& db, const char* table) {
  Statement s(db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1");
  s.bind(1, table);
  return s.step();
}

} // namespace

Database open_existing_database(const std::string& path, Database::Mode mode) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec))
    throw UsageError(fmt::format("results database '{}' does not exist or is not a file", path));
  Database db(path, mode);
  const SchemaProbe probe = probe_schema(db); // UsageError when not SQLite
  if (probe.empty || !probe.is_lutgemm) {
    throw UsageError(fmt::format("'{}' is {} not a lutgemm results database", path,
                                 probe.empty ? "an empty SQLite file," : "a SQLite database but"));
  }
  if (probe.version < 1 || probe.version > kSchemaVersion) {
    throw UsageError(fmt::format("'{}' has lutgemm schema version {}; this lutgemm reads 1..{}",
                                 path, probe.version, kSchemaVersion));
  }
  check_schema_intact(db, probe.version);
  return db;
}

std::vector<DeviceRow> list_devices(Database& db) {
  std::vector<DeviceRow> devices;
  Statement s(db, "SELECT id, key, name, backend, arch FROM devices ORDER BY id");
  while (s.step())
    devices.push_back(
        {s.column_int(0), s.column_text(1), s.column_text(2), s.column_text(3), s.column_text(4)});
  return devices;
}

std::optional<DeviceRow> find_device(Database& db, const std::string& wanted) {
  const auto devices = list_devices(db);
  const std::string w = lower(wanted);
  for (const auto& d : devices) {
    if (lower(d.name) == w || lower(d.key) == w)
      return d;
  }
  std::vector<const DeviceRow*> matches;
  for (const auto& d : devices) {
    if (!w.empty() && lower(d.name).find(w) != std::string::npos)
      matches.push_back(&d);
  }
  if (matches.size() == 1)
    return *matches.front();
  if (matches.size() > 1) {
    std::string names;
    for (const auto* d : matches)
      names += (names.empty() ? "'" : ", '") + d->name + "' (" + d->key + ")";
    throw UsageError(
        fmt::format("device '{}' matches several devices ({}): give the key", wanted, names));
  }
  return std::nullopt;
}

std::vector<MeasuredRow> measured_rows(Database& db, std::int64_t device_id) {
  Statement s(db, R"sql(
      SELECT v.family, v.label, v.params, p.m, p.k, p.batch, p.bits, p.group_size, p.has_offset,
             m.median_us, m.registers, m.run_id, m.problem_id, m.variant_id
      FROM measurements m
      JOIN variants v ON v.id = m.variant_id
      JOIN problems p ON p.id = m.problem_id
      WHERE m.device_id = ?1 AND m.source = 'measured' AND m.disposition = 'ok'
        AND m.median_us > 0
      ORDER BY m.id)sql");
  s.bind(1, device_id);
  std::vector<MeasuredRow> rows;
  std::map<std::pair<std::int64_t, std::int64_t>, std::size_t> index; // newest per pair
  while (s.step()) {
    MeasuredRow r;
    r.family = s.column_text(0);
    r.label = s.column_text(1);
    r.params_json = s.column_text(2);
    r.problem = problem_from_columns(s, 3);
    r.median_us = s.column_double(9);
    r.registers = static_cast<int>(s.column_optional_int(10).value_or(0));
    r.run_id = s.column_int(11);
    const auto key = std::make_pair(s.column_int(12), s.column_int(13));
    if (auto it = index.find(key); it != index.end()) {
      rows[it->second] = std::move(r);
    } else {
      index.emplace(key, rows.size());
      rows.push_back(std::move(r));
    }
  }
  return rows;
}

std::optional<CalibrationRow> latest_calibration(Database& db, std::int64_t device_id) {
  if (!has_table(db, "calibrations"))
    return std::nullopt;
  Statement s(db, "SELECT id, device_id, constants, fit, created_at FROM calibrations "
                  "WHERE device_id = ?1 ORDER BY id DESC LIMIT 1");
  s.bind(1, device_id);
  if (!s.step())
    return std::nullopt;
  return CalibrationRow{s.column_int(0), s.column_int(1), s.column_text(2), s.column_text(3),
                        s.column_text(4)};
}

std::int64_t insert_calibration(Database& db, std::int64_t device_id,
                                const std::string& constants_json, const std::string& fit_json) {
  Transaction transaction(db);
  Statement insert(db, "INSERT INTO calibrations (device_id, constants, fit, created_at) VALUES "
                       "(?1, ?2, ?3, strftime('%Y-%m-%dT%H:%M:%fZ','now'))");
  insert.bind(1, device_id).bind(2, constants_json).bind(3, fit_json);
  insert.run();
  const std::int64_t id = db.last_insert_rowid();
  transaction.commit();
  return id;
}

} // namespace lutgemm::store
