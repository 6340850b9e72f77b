// The SQLite implementation of report::ResultQueries (tuner/report/result_queries.hpp): the
// read-only view `lutgemm report` and `lutgemm export` read a results database through.
#include "common/error.hpp"
#include "report/result_queries.hpp"
#include "store/schema.hpp"
#include "store/sqlite.hpp"
#include "targets/gpu_spec.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <filesystem>

namespace lutgemm::report {
namespace {

class SqliteResults final : public ResultQueries {
public:
  explicit SqliteResults(store::Database db) : db_(std::move(db)) {}

  std::vector<DeviceInfo> devices() const override {
    store::Statement select(db_, R"sql(
      SELECT d.name, d.key, d.details,
             (SELECT r.driver_version FROM runs r WHERE r.device_id = d.id ORDER BY r.id DESC LIMIT 1),
             (SELECT r.toolkit_version FROM runs r WHERE r.device_id = d.id ORDER BY r.id DESC LIMIT 1)
      FROM devices d ORDER BY d.id)sql");
    std::vector<DeviceInfo> list;
    while (select.step()) {
      DeviceInfo d;
      d.name = select.column_text(0);
      const auto key = select.column_text(1);
      auto details = nlohmann::json::parse(select.column_text(2), nullptr, false);
      if (details.is_object())
        d.memory_bytes = details.value("total_memory_bytes", std::int64_t{0});
      if (key.starts_with("model:"))
        d.target_key = key.substr(6);
      else if (const auto* spec = match_device_name(d.name, d.memory_bytes))
        d.target_key = std::string(spec->key);
      if (!select.is_null(3) && select.column_text(3) != "none")
        d.driver_version = select.column_text(3);
      if (!select.is_null(4))
        d.cuda_version = select.column_text(4);
      list.push_back(d);
    }
    return list;
  }

  std::vector<ResultRow> results(std::string_view device) const override {
    // The latest verified result per (problem, variant) on the device; failures are not results,
    // and emulator wall times say nothing about a GPU.
    store::Statement select(db_, R"sql(
      SELECT d.name, p.m, p.k, p.batch, p.bits, p.group_size, p.has_offset, v.family, v.label,
             v.params, m.median_us, coalesce(m.noise_pct, 0), m.samples, m.source, r.id,
             r.started_at, r.git_sha, r.driver_version, r.toolkit_version
      FROM measurements m
      JOIN devices d ON d.id = m.device_id
      JOIN problems p ON p.id = m.problem_id
      JOIN variants v ON v.id = m.variant_id
      JOIN runs r ON r.id = m.run_id
      WHERE (d.name = ?1 OR d.key = ?1) AND m.disposition = 'ok' AND m.median_us IS NOT NULL
        AND m.source IN ('measured', 'modelled')
        AND m.id = (SELECT max(m2.id) FROM measurements m2
                    WHERE m2.device_id = m.device_id AND m2.problem_id = m.problem_id
                      AND m2.variant_id = m.variant_id AND m2.disposition = 'ok'
                      AND m2.median_us IS NOT NULL)
      ORDER BY p.key, v.family, v.label)sql");
    select.bind(1, std::string(device));
    std::vector<ResultRow> rows;
    while (select.step()) {
      ResultRow row;
      row.device = select.column_text(0);
      row.problem.m = select.column_int(1);
      row.problem.k = select.column_int(2);
      row.problem.batch = static_cast<int>(select.column_int(3));
      row.problem.bits = static_cast<int>(select.column_int(4));
      row.problem.group = static_cast<int>(select.column_int(5));
      row.problem.has_offset = select.column_int(6) != 0;
      row.kernel = select.column_text(7);
      row.variant_label = select.column_text(8);
      auto params = nlohmann::json::parse(select.column_text(9), nullptr, false);
      if (params.is_object())
        for (const auto& [name, value] : params.items())
          if (value.is_number_integer())
            row.params.emplace_back(name, value.get<std::int64_t>());
      row.median_us = select.column_double(10);
      row.noise_pct = select.column_double(11);
      row.samples = static_cast<int>(select.column_int(12));
      row.source = time_source_from_string(select.column_text(13));
      row.run_id = select.column_int(14);
      row.run_started = select.column_text(15);
      row.git_sha = select.column_text(16);
      row.driver_version = select.column_text(17) == "none" ? "" : select.column_text(17);
      row.cuda_version = select.column_text(18);
      rows.push_back(std::move(row));
    }
    return rows;
  }

private:
  mutable store::Database db_;
};

} // namespace

std::unique_ptr<ResultQueries> open_result_database(const std::string& path) {
  if (!std::filesystem::exists(path))
    throw UsageError(fmt::format("results database '{}' does not exist", path));
  store::Database db(path, store::Database::Mode::read_only);
  auto probe = store::probe_schema(db);
  if (probe.empty || !probe.is_lutgemm)
    throw UsageError(fmt::format("'{}' is not a lutgemm results database", path));
  if (probe.version > store::kSchemaVersion)
    throw UsageError(fmt::format("'{}' has schema version {}, newer than this lutgemm's {}", path,
                                 probe.version, store::kSchemaVersion));
  if (probe.version < 2)
    throw UsageError(fmt::format("'{}' has schema version {}; run `lutgemm tune --db {}` once to "
                                 "upgrade it",
                                 path, probe.version, path));
  return std::make_unique<SqliteResults>(std::move(db));
}

} // namespace lutgemm::report
