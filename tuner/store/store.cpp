#include "store/store.hpp"

#include "common/error.hpp"
#include "common/fnv1a.hpp"
#include "common/process_status.hpp"
#include "store/schema.hpp"

#include <cerrno>
#include <csignal>
#include <fmt/format.h>
#include <unistd.h>

#include <filesystem>

namespace lutgemm::store {
namespace {

constexpr const char* kNow = "strftime('%Y-%m-%dT%H:%M:%fZ','now')";

std::string host_name() {
  char buffer[256] = {};
  if (gethostname(buffer, sizeof buffer - 1) != 0)
    return "unknown";
  return buffer;
}

// Columns read by read_measurement(), in order.
constexpr const char* kMeasurementColumns =
    "m.id, m.run_id, v.label, v.family, p.key, m.phase, m.disposition, m.message, m.source, "
    "m.median_us, m.iqr_us, m.min_us, m.noise_pct, m.gbps, m.pct_dram_peak, m.samples, "
    "m.proxy_shape, m.retryable";
constexpr const char* kMeasurementJoin =
    "FROM measurements m JOIN variants v ON v.id = m.variant_id JOIN problems p ON p.id = "
    "m.problem_id";

StoredMeasurement read_measurement(const Statement& s) {
  StoredMeasurement r;
  r.id = s.column_int(0);
  r.run_id = s.column_int(1);
  r.variant_label = s.column_text(2);
  r.family = s.column_text(3);
  r.problem_key = s.column_text(4);
  r.phase = s.column_text(5);
  r.disposition = disposition_from_string(s.column_text(6));
  r.message = s.column_text(7);
  r.source = time_source_from_string(s.column_text(8));
  r.median_us = s.column_optional_double(9);
  r.iqr_us = s.column_optional_double(10);
  r.min_us = s.column_optional_double(11);
  r.noise_pct = s.column_optional_double(12);
  r.gbps = s.column_optional_double(13);
  r.pct_dram_peak = s.column_optional_double(14);
  r.samples = static_cast<int>(s.column_int(15));
  r.proxy_shape = s.column_text(16);
  r.retryable = s.column_int(17) != 0;
  return r;
}

} // namespace

std::string to_string(RunStatus status) {
  switch (status) {
  case RunStatus::running:
    return "running";
  case RunStatus::completed:
    return "completed";
  case RunStatus::failed:
    return "failed";
  case RunStatus::interrupted:
    return "interrupted";
  }
  return "unknown";
}

std::string stable_hash(std::string_view text) {
  return fmt::format("{:016x}", fnv1a(text));
}

Store Store::open(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (path != ":memory:") {
    fs::path file(path);
    if (fs::is_directory(file, ec))
      throw UsageError(fmt::format("database '{}' is a directory", path));
    if (fs::exists(file, ec) && access(path.c_str(), R_OK | W_OK) != 0) {
      throw UsageError(fmt::format("database '{}' is not readable and writable", path));
    }
    if (file.has_parent_path() && !fs::exists(file.parent_path(), ec)) {
      fs::create_directories(file.parent_path(), ec);
      if (ec) {
        throw UsageError(
            fmt::format("cannot create the folder of database '{}': {}", path, ec.message()));
      }
    }
  }
  std::optional<Database> db;
  try {
    db.emplace(path);
  } catch (const RuntimeError& e) {
    throw UsageError(e.what());
  }
  ensure_schema(*db);
  Store store(std::move(*db));
  store.mark_dead_runs();
  return store;
}

void Store::mark_dead_runs() {
  // A run killed with -9 never ends itself. Only runs of this host can be checked; a pid that was
  // reused by another process keeps its run 'running' (harmless: nothing reads it as live work).
  Statement select(db_, "SELECT id, pid FROM runs WHERE status = 'running' AND host = ?1 AND "
                        "pid IS NOT NULL");
  select.bind(1, host_name());
  std::vector<std::int64_t> dead;
  while (select.step()) {
    const auto pid = static_cast<pid_t>(select.column_int(1));
    if (process_is_gone(pid))
      dead.push_back(select.column_int(0));
  }
  if (dead.empty())
    return;
  Transaction transaction(db_);
  for (auto id : dead) {
    Statement update(db_, fmt::format("UPDATE runs SET status = 'interrupted', ended_at = {} "
                                      "WHERE id = ?1 AND status = 'running'",
                                      kNow));
    update.bind(1, id);
    update.run();
  }
  transaction.commit();
}

std::int64_t Store::device_id(const DeviceRecord& d) {
  Transaction transaction(db_);
  Statement upsert(db_, "INSERT INTO devices (key, name, backend, arch, sm_count, dram_gbps, "
                        "l2_bytes, details) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) "
                        "ON CONFLICT (key) DO UPDATE SET name = ?2, backend = ?3, arch = ?4, "
                        "sm_count = ?5, dram_gbps = ?6, l2_bytes = ?7, details = ?8");
  upsert.bind(1, d.key).bind(2, d.name).bind(3, d.backend).bind(4, d.arch);
  upsert.bind(5, d.sm_count).bind(6, d.dram_gbps).bind(7, d.l2_bytes).bind(8, d.details_json);
  upsert.run();
  Statement select(db_, "SELECT id FROM devices WHERE key = ?1");
  select.bind(1, d.key);
  select.step();
  auto id = select.column_int(0);
  transaction.commit();
  return id;
}

std::int64_t Store::problem_id(const Problem& p) {
  Transaction transaction(db_);
  auto key = to_string(p);
  Statement insert(db_, "INSERT INTO problems (key, m, k, batch, bits, group_size, has_offset) "
                        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (key) DO NOTHING");
  insert.bind(1, key).bind(2, p.m).bind(3, p.k).bind(4, p.batch).bind(5, p.bits);
  insert.bind(6, p.group).bind(7, p.has_offset ? 1 : 0);
  insert.run();
  Statement select(db_, "SELECT id FROM problems WHERE key = ?1");
  select.bind(1, key);
  select.step();
  auto id = select.column_int(0);
  transaction.commit();
  return id;
}

std::int64_t Store::variant_id(const std::string& family, const std::string& label,
                               const std::string& params_json) {
  Transaction transaction(db_);
  Statement insert(db_, "INSERT INTO variants (family, label, params) VALUES (?1, ?2, ?3) "
                        "ON CONFLICT (family, label) DO NOTHING");
  insert.bind(1, family).bind(2, label).bind(3, params_json);
  insert.run();
  Statement select(db_, "SELECT id FROM variants WHERE family = ?1 AND label = ?2");
  select.bind(1, family).bind(2, label);
  select.step();
  auto id = select.column_int(0);
  transaction.commit();
  return id;
}

std::int64_t Store::begin_run(const RunInfo& r) {
  Transaction transaction(db_);
  Statement insert(db_, fmt::format("INSERT INTO runs (command_line, git_sha, toolkit_version, "
                                    "nvrtc_version, driver_version, backend, strategy, "
                                    "device_id, host, pid, shard, started_at, status) VALUES (?1, "
                                    "?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, {}, 'running')",
                                    kNow));
  insert.bind(1, r.command_line).bind(2, r.git_sha).bind(3, r.toolkit_version);
  insert.bind(4, r.nvrtc_version).bind(5, r.driver_version).bind(6, r.backend);
  insert.bind(7, r.strategy);
  if (r.device_id > 0)
    insert.bind(8, r.device_id);
  else
    insert.bind_null(8);
  insert.bind(9, host_name()).bind(10, static_cast<std::int64_t>(::getpid()));
  insert.bind(11, r.shard);
  insert.run();
  auto id = db_.last_insert_rowid();
  transaction.commit();
  return id;
}

void Store::end_run(std::int64_t run_id, RunStatus status) {
  Transaction transaction(db_);
  Statement update(db_,
                   fmt::format("UPDATE runs SET ended_at = {}, status = ?2 WHERE id = ?1", kNow));
  update.bind(1, run_id).bind(2, to_string(status));
  update.run();
  transaction.commit();
}

bool Store::record(const MeasurementRecord& m) {
  Transaction transaction(db_);
  Statement insert(
      db_, fmt::format(
               "INSERT INTO measurements (run_id, device_id, problem_id, variant_id, phase, "
               "disposition, message, source, median_us, iqr_us, min_us, noise_pct, samples, "
               "gbps, pct_dram_peak, max_error, registers, smem_bytes, spill_bytes, proxy_shape, "
               "clocks, retryable, counters, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, "
               "?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, {}) "
               "ON CONFLICT (run_id, problem_id, variant_id, phase) DO NOTHING",
               kNow));
  insert.bind(1, m.run_id).bind(2, m.device_id).bind(3, m.problem_id).bind(4, m.variant_id);
  insert.bind(5, m.phase).bind(6, to_string(m.disposition)).bind(7, m.message);
  insert.bind(8, to_string(m.source)).bind(9, m.median_us).bind(10, m.iqr_us);
  insert.bind(11, m.min_us).bind(12, m.noise_pct).bind(13, m.samples).bind(14, m.gbps);
  insert.bind(15, m.pct_dram_peak).bind(16, m.max_error).bind(17, m.registers);
  insert.bind(18, m.smem_bytes).bind(19, m.spill_bytes).bind(20, m.proxy_shape);
  insert.bind(21, m.clocks).bind(22, m.retryable ? 1 : 0).bind(23, m.counters);
  insert.run();
  bool inserted = db_.changes() > 0;
  transaction.commit();
  return inserted;
}

std::map<std::string, StoredMeasurement> Store::existing(std::int64_t device_id,
                                                         std::int64_t problem_id, TimeSource source,
                                                         const std::string& phase) {
  Statement select(db_, fmt::format("SELECT {} {} WHERE m.device_id = ?1 AND m.problem_id = ?2 "
                                    "AND m.source = ?3 AND m.phase = ?4 ORDER BY m.id",
                                    kMeasurementColumns, kMeasurementJoin));
  select.bind(1, device_id).bind(2, problem_id).bind(3, to_string(source)).bind(4, phase);
  std::map<std::string, StoredMeasurement> result;
  while (select.step()) {
    auto row = read_measurement(select);
    result[row.variant_label] = std::move(row); // later rows win
  }
  return result;
}

std::vector<StoredMeasurement> Store::run_measurements(std::int64_t run_id) {
  Statement select(db_, fmt::format("SELECT {} {} WHERE m.run_id = ?1 ORDER BY m.id",
                                    kMeasurementColumns, kMeasurementJoin));
  select.bind(1, run_id);
  std::vector<StoredMeasurement> result;
  while (select.step())
    result.push_back(read_measurement(select));
  return result;
}

std::vector<StoredMeasurement> Store::best_per_problem(std::int64_t device_id) {
  // A window function picks the fastest ok row per problem; ties go to the earliest row.
  Statement select(
      db_, fmt::format("SELECT * FROM (SELECT {}, row_number() OVER (PARTITION BY m.problem_id "
                       "ORDER BY m.median_us, m.id) AS rank {} WHERE m.device_id = ?1 AND "
                       "m.disposition = 'ok' AND m.median_us IS NOT NULL) WHERE rank = 1 "
                       "ORDER BY 5",
                       kMeasurementColumns, kMeasurementJoin));
  select.bind(1, device_id);
  std::vector<StoredMeasurement> result;
  while (select.step())
    result.push_back(read_measurement(select));
  return result;
}

Store::Claim Store::claim(std::int64_t device_id, std::int64_t problem_id, std::int64_t variant_id,
                          std::int64_t run_id, TimeSource source, double lease_s) {
  // One IMMEDIATE transaction: of N tuners asking at once, one takes the claim, the others see it.
  Transaction transaction(db_);
  Statement done(db_, "SELECT 1 FROM measurements WHERE device_id = ?1 AND problem_id = ?2 AND "
                      "variant_id = ?3 AND source = ?4 AND phase = 'sweep' AND retryable = 0 AND "
                      "disposition != 'skipped' LIMIT 1");
  done.bind(1, device_id).bind(2, problem_id).bind(3, variant_id).bind(4, to_string(source));
  if (done.step())
    return Claim::done; // the transaction rolls back: nothing written
  const std::string host = host_name();
  const auto pid = static_cast<std::int64_t>(::getpid());
  Statement holder(db_, fmt::format("SELECT host, pid, lease_until > {} FROM claims WHERE "
                                    "device_id = ?1 AND problem_id = ?2 AND variant_id = ?3",
                                    kNow));
  holder.bind(1, device_id).bind(2, problem_id).bind(3, variant_id);
  if (holder.step()) {
    const bool mine = holder.column_text(0) == host && holder.column_int(1) == pid;
    const bool live = holder.column_int(2) != 0;
    const auto other = static_cast<pid_t>(holder.column_int(1));
    // A claimer on this host whose process is gone (killed with -9) loses its lease at once.
    const bool dead_here = holder.column_text(0) == host && process_is_gone(other);
    if (!mine && live && !dead_here)
      return Claim::busy;
  }
  Statement upsert(db_, "INSERT INTO claims (device_id, problem_id, variant_id, run_id, host, pid, "
                        "lease_until) VALUES (?1, ?2, ?3, ?4, ?5, ?6, strftime('%Y-%m-%dT%H:%M:%fZ'"
                        ", 'now', ?7)) ON CONFLICT (device_id, problem_id, variant_id) DO UPDATE "
                        "SET run_id = ?4, host = ?5, pid = ?6, lease_until = excluded.lease_until");
  upsert.bind(1, device_id).bind(2, problem_id).bind(3, variant_id).bind(4, run_id);
  upsert.bind(5, host).bind(6, pid).bind(7, fmt::format("+{:.3f} seconds", lease_s));
  upsert.run();
  transaction.commit();
  return Claim::claimed;
}

void Store::release_claim(std::int64_t device_id, std::int64_t problem_id,
                          std::int64_t variant_id) {
  Transaction transaction(db_);
  Statement remove(db_, "DELETE FROM claims WHERE device_id = ?1 AND problem_id = ?2 AND "
                        "variant_id = ?3 AND host = ?4 AND pid = ?5");
  remove.bind(1, device_id).bind(2, problem_id).bind(3, variant_id);
  remove.bind(4, host_name()).bind(5, static_cast<std::int64_t>(::getpid()));
  remove.run();
  transaction.commit();
}

std::optional<CompileCacheEntry> Store::find_compiled(const std::string& key_text) {
  Statement select(db_, "SELECT key_text, arch, nvrtc_version, ok, binary, log, registers, "
                        "smem_bytes, spill_stores, spill_loads, stack_bytes, compile_ms, "
                        "lowered_name, ptx, spec, barriers FROM compile_cache WHERE key_hash = ?1");
  select.bind(1, stable_hash(key_text));
  if (!select.step())
    return std::nullopt;
  if (select.column_text(0) != key_text)
    return std::nullopt; // a hash collision: treat as a miss, the full key decides
  CompileCacheEntry e;
  e.key_text = select.column_text(0);
  e.arch = select.column_text(1);
  e.nvrtc_version = select.column_text(2);
  e.ok = select.column_int(3) != 0;
  e.binary = select.column_blob(4);
  e.log = select.column_text(5);
  if (auto v = select.column_optional_int(6))
    e.registers = static_cast<int>(*v);
  e.smem_bytes = select.column_optional_int(7);
  e.spill_stores = select.column_optional_int(8);
  e.spill_loads = select.column_optional_int(9);
  e.stack_bytes = select.column_optional_int(10);
  e.compile_ms = select.column_optional_double(11);
  e.lowered_name = select.column_text(12);
  e.ptx = select.column_text(13);
  e.spec_json = select.column_text(14);
  e.barriers = select.column_optional_int(15);
  return e;
}

void Store::store_compiled(const CompileCacheEntry& e) {
  Transaction transaction(db_);
  Statement insert(
      db_, fmt::format("INSERT OR REPLACE INTO compile_cache (key_hash, key_text, arch, "
                       "nvrtc_version, ok, binary, log, registers, smem_bytes, spill_stores, "
                       "spill_loads, stack_bytes, compile_ms, lowered_name, ptx, spec, barriers, "
                       "created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, "
                       "?13, ?14, ?15, ?16, ?17, {})",
                       kNow));
  insert.bind(1, stable_hash(e.key_text)).bind(2, e.key_text).bind(3, e.arch);
  insert.bind(4, e.nvrtc_version).bind(5, e.ok ? 1 : 0).bind_blob(6, e.binary).bind(7, e.log);
  insert.bind(8, e.registers).bind(9, e.smem_bytes).bind(10, e.spill_stores);
  insert.bind(11, e.spill_loads).bind(12, e.stack_bytes).bind(13, e.compile_ms);
  insert.bind(14, e.lowered_name).bind(15, e.ptx).bind(16, e.spec_json).bind(17, e.barriers);
  insert.run();
  transaction.commit();
}

std::int64_t Store::compile_cache_size() {
  Statement select(db_, "SELECT count(*) FROM compile_cache");
  select.step();
  return select.column_int(0);
}

} // namespace lutgemm::store
