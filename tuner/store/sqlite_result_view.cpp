// The SQLite implementation of the results view (store/result_view.hpp): what
// `lutgemm report`, `lutgemm export` and scripts read from a tune's database. Read-only: the file
// is never written, so a report can run beside a tune that is still writing.
#include "common/error.hpp"
#include "store/calibrations.hpp"
#include "store/result_view.hpp"
#include "store/schema.hpp"
#include "store/sqlite.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <map>
#include <tuple>

namespace lutgemm::store {
namespace {

// The report's kernel names (model::Baseline's to_string) for the database's kernel families
// (baseline providers' names, baselines/provider.hpp). cuBLAS fp16 with fp32 accumulation is the
// paper's 1.00x reference; other families keep their own name and show in result listings.
std::string kernel_for_family(const std::string& family) {
  static const std::map<std::string, std::string> names{
      {"cublas_fp16_acc32", "cublas_fp16"},
      {"optq_fused_gemv", "optq_fused"},
      {"optq_dequant_gemm", "optq_dequant_cublas"},
  };
  const auto it = names.find(family);
  return it == names.end() ? family : it->second;
}

// Integer parameters of a variant (booleans as 0/1); other values are not kernel knobs.
std::vector<std::pair<std::string, std::int64_t>> parse_params(const std::string& text) {
  std::vector<std::pair<std::string, std::int64_t>> out;
  const auto j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object())
    return out;
  for (const auto& [name, value] : j.items()) {
    if (value.is_number_integer())
      out.emplace_back(name, value.get<std::int64_t>());
    else if (value.is_boolean())
      out.emplace_back(name, value.get<bool>() ? 1 : 0);
  }
  return out; // nlohmann::json objects iterate in key order: deterministic
}

std::int64_t memory_bytes(const std::string& details) {
  const auto j = nlohmann::json::parse(details, nullptr, false);
  if (!j.is_object())
    return 0;
  for (const char* key : {"memory_bytes", "total_memory_bytes", "total_mem_bytes"}) {
    if (j.contains(key) && j[key].is_number_integer())
      return j[key].get<std::int64_t>();
  }
  return 0;
}

// Shared-load wavefronts per request from a row's stored counters (Nsight Compute names, as
// emu/counter_names.cpp writes them); 0 when there are none or the JSON is not readable.
double conflict_factor(const std::string& counters_json) {
  const auto j = nlohmann::json::parse(counters_json, nullptr, /*allow_exceptions=*/false);
  constexpr const char* kRequests = "smsp__inst_executed_op_shared_ld.sum";
  constexpr const char* kWavefronts = "l1tex__data_pipe_lsu_wavefronts_mem_shared_op_ld.sum";
  if (!j.is_object() || !j.contains(kRequests) || !j.contains(kWavefronts) ||
      !j[kRequests].is_number() || !j[kWavefronts].is_number())
    return 0;
  const double requests = j[kRequests].get<double>();
  return requests > 0 ? j[kWavefronts].get<double>() / requests : 0;
}

class SqliteResults final : public ResultQueries {
public:
  explicit SqliteResults(Database db) : db_(std::move(db)) {}

  std::vector<DeviceInfo> devices() const override {
    // Devices with at least one result, in insertion order; one entry per name (two boards of
    // the same model are one device for a report). Driver and CUDA from the device's latest run.
    Statement s(db_, R"sql(
      SELECT d.name, min(d.key), max(d.details),
             (SELECT r.driver_version FROM runs r JOIN devices d2 ON r.device_id = d2.id
               WHERE d2.name = d.name ORDER BY r.id DESC LIMIT 1),
             (SELECT r.toolkit_version FROM runs r JOIN devices d2 ON r.device_id = d2.id
               WHERE d2.name = d.name ORDER BY r.id DESC LIMIT 1)
        FROM devices d
       WHERE EXISTS (SELECT 1 FROM measurements m WHERE m.device_id = d.id)
       GROUP BY d.name ORDER BY min(d.id))sql");
    std::vector<DeviceInfo> out;
    while (s.step()) {
      DeviceInfo d;
      d.name = s.column_text(0);
      const std::string key = s.column_text(1);
      if (key.starts_with("model:"))
        d.target_key = key.substr(6); // the model's own target ("model:<target>")
      d.memory_bytes = memory_bytes(s.column_text(2));
      d.driver_version = s.is_null(3) ? "" : s.column_text(3);
      d.cuda_version = s.is_null(4) ? "" : s.column_text(4);
      out.push_back(std::move(d));
    }
    return out;
  }

  std::vector<ResultRow> results(std::string_view device) const override {
    // Verified results only (disposition ok, a time). Per problem, variant and source the latest
    // run's row wins, and within a run the leader re-measurement over the sweep.
    Statement s(db_, R"sql(
      SELECT p.m, p.k, p.batch, p.bits, p.group_size, p.has_offset, v.family, v.label, v.params,
             m.median_us, coalesce(m.noise_pct, 0), m.samples, m.source, m.run_id,
             r.started_at, r.git_sha, r.driver_version, r.toolkit_version,
             m.problem_id, m.variant_id, m.counters
        FROM measurements m
        JOIN devices d ON d.id = m.device_id
        JOIN problems p ON p.id = m.problem_id
        JOIN variants v ON v.id = m.variant_id
        JOIN runs r ON r.id = m.run_id
       WHERE d.name = ?1 AND m.disposition = 'ok' AND m.median_us IS NOT NULL
         AND m.source IN ('measured', 'modelled')
       ORDER BY m.run_id DESC, (m.phase = 'remeasure') DESC, m.id DESC)sql");
    s.bind(1, device);
    std::map<std::tuple<std::int64_t, std::int64_t, std::string>, ResultRow> latest;
    while (s.step()) {
      const std::string source = s.column_text(12);
      auto key = std::make_tuple(s.column_int(18), s.column_int(19), source);
      if (latest.contains(key))
        continue; // an older run's (or the sweep's) time for the same variant
      ResultRow row;
      row.device = std::string(device);
      row.problem = problem_from_columns(s, 0);
      row.kernel = kernel_for_family(s.column_text(6));
      row.variant_label = s.column_text(7);
      row.params = parse_params(s.column_text(8));
      row.median_us = s.column_double(9);
      row.noise_pct = s.column_double(10);
      row.samples = static_cast<int>(s.column_int(11));
      row.source = time_source_from_string(source);
      row.run_id = s.column_int(13);
      row.run_started = s.column_text(14);
      row.git_sha = s.column_text(15);
      row.driver_version = s.column_text(16);
      row.cuda_version = s.column_text(17);
      row.smem_load_conflict_factor = s.is_null(20) ? 0 : conflict_factor(s.column_text(20));
      latest.emplace(std::move(key), std::move(row));
    }
    InMemoryResults sorted; // its ordering is the interface's deterministic order
    for (auto& [key, row] : latest)
      sorted.add(std::move(row));
    return sorted.results(device);
  }

private:
  mutable Database db_;
};

} // namespace

std::unique_ptr<ResultQueries> open_result_database(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    throw UsageError(fmt::format("results database '{}' is a directory", path));
  if (!std::filesystem::is_regular_file(path, ec)) {
    throw UsageError(fmt::format("results database '{}' does not exist (create one with "
                                 "`lutgemm tune --db {}`)",
                                 path, path));
  }
  // Schema checks as every reader of an existing database (store/calibrations.hpp).
  Database db = open_existing_database(path, Database::Mode::read_only);
  return std::make_unique<SqliteResults>(std::move(db));
}

} // namespace lutgemm::store
