#include "store/schema.hpp"

#include "common/error.hpp"

#include <fmt/format.h>

#include <map>
#include <set>
#include <string>

namespace lutgemm::store {
namespace {

// Version 1: the first release. Kept verbatim: upgrades start from it.
constexpr const char* kSchemaV1 = R"sql(
CREATE TABLE devices (
  id INTEGER PRIMARY KEY,
  key TEXT NOT NULL UNIQUE,          -- "cuda:<name>:<uuid>" or "model:<target>"
  name TEXT NOT NULL,
  backend TEXT NOT NULL,             -- cuda | emu
  arch TEXT NOT NULL,                -- sm_80, sm_90, ...
  sm_count INTEGER,
  dram_gbps REAL,
  l2_bytes INTEGER,
  details TEXT NOT NULL DEFAULT '{}' -- JSON: clocks, driver, memory, ...
);
CREATE TABLE problems (
  id INTEGER PRIMARY KEY,
  key TEXT NOT NULL UNIQUE,          -- lutgemm::to_string(Problem)
  m INTEGER NOT NULL, k INTEGER NOT NULL, batch INTEGER NOT NULL, bits INTEGER NOT NULL,
  group_size INTEGER NOT NULL,       -- 0 = row-wise
  has_offset INTEGER NOT NULL
);
CREATE TABLE variants (
  id INTEGER PRIMARY KEY,
  family TEXT NOT NULL,
  label TEXT NOT NULL,
  params TEXT NOT NULL,              -- JSON object name -> value
  UNIQUE (family, label)
);
CREATE TABLE runs (
  id INTEGER PRIMARY KEY,
  command_line TEXT NOT NULL,
  git_sha TEXT NOT NULL,
  toolkit_version TEXT NOT NULL,
  nvrtc_version TEXT NOT NULL,
  driver_version TEXT NOT NULL,
  backend TEXT NOT NULL,
  strategy TEXT NOT NULL,
  device_id INTEGER REFERENCES devices(id),
  host TEXT NOT NULL,
  started_at TEXT NOT NULL,
  ended_at TEXT,
  status TEXT NOT NULL               -- running | completed | failed | interrupted
);
CREATE TABLE measurements (
  id INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL REFERENCES runs(id),
  device_id INTEGER NOT NULL REFERENCES devices(id),
  problem_id INTEGER NOT NULL REFERENCES problems(id),
  variant_id INTEGER NOT NULL REFERENCES variants(id),
  phase TEXT NOT NULL,               -- sweep | remeasure
  disposition TEXT NOT NULL,         -- ok | compile_error | resource_limit | launch_error |
                                     -- wrong_result | timeout | skipped
  message TEXT NOT NULL DEFAULT '',
  source TEXT NOT NULL,              -- measured | modelled | emulated
  median_us REAL, iqr_us REAL, min_us REAL, noise_pct REAL,
  samples INTEGER NOT NULL DEFAULT 0,
  gbps REAL,
  max_error REAL,
  registers INTEGER, smem_bytes INTEGER, spill_bytes INTEGER,
  created_at TEXT NOT NULL,
  UNIQUE (run_id, problem_id, variant_id, phase)
);
CREATE INDEX measurements_lookup ON measurements (device_id, problem_id, source, phase);
)sql";

// Version 2: % of DRAM peak, the emulator's proxy shape, clock notes, and the JIT's SQLite tier.
constexpr const char* kUpgradeV1ToV2 = R"sql(
ALTER TABLE measurements ADD COLUMN pct_dram_peak REAL;
ALTER TABLE measurements ADD COLUMN proxy_shape TEXT NOT NULL DEFAULT '';
ALTER TABLE measurements ADD COLUMN clocks TEXT NOT NULL DEFAULT '';
CREATE TABLE compile_cache (
  key_hash TEXT PRIMARY KEY,         -- FNV-1a 64 of key_text, hex
  key_text TEXT NOT NULL,            -- source hash + options + arch + NVRTC version, in full
  arch TEXT NOT NULL,
  nvrtc_version TEXT NOT NULL,
  ok INTEGER NOT NULL,               -- 0: compile error (log says why)
  binary BLOB,                       -- cubin
  lowered_name TEXT NOT NULL DEFAULT '', -- mangled entry point
  ptx TEXT NOT NULL DEFAULT '',
  spec TEXT NOT NULL DEFAULT '{}',   -- JSON: source, name expression, defines
  log TEXT NOT NULL DEFAULT '',
  registers INTEGER, smem_bytes INTEGER, spill_stores INTEGER, spill_loads INTEGER,
  stack_bytes INTEGER, barriers INTEGER,
  compile_ms REAL,
  created_at TEXT NOT NULL
);
)sql";

// Version 3: the columns and tables of the second round, added together so that the features that
// use them (emulated counters, calibration, work claims, shards, retryable failures) share one
// step.
constexpr const char* kUpgradeV2ToV3 = R"sql(
ALTER TABLE measurements ADD COLUMN counters TEXT NOT NULL DEFAULT '{}'; -- JSON: emulated counters
ALTER TABLE measurements ADD COLUMN retryable INTEGER NOT NULL DEFAULT 0; -- 1: the failure says
                                     -- nothing about the variant (killed from outside, worker lost,
                                     -- out of memory): a resume evaluates it again
ALTER TABLE runs ADD COLUMN pid INTEGER;                       -- the tuner process (host + pid)
ALTER TABLE runs ADD COLUMN shard TEXT NOT NULL DEFAULT '';    -- "I/N" of `tune --shard`, '' = all
CREATE TABLE claims (                -- work a live tuner has taken: N tuners on one file share work
  device_id INTEGER NOT NULL REFERENCES devices(id),
  problem_id INTEGER NOT NULL REFERENCES problems(id),
  variant_id INTEGER NOT NULL REFERENCES variants(id),
  run_id INTEGER NOT NULL REFERENCES runs(id),
  host TEXT NOT NULL,
  pid INTEGER NOT NULL,
  lease_until TEXT NOT NULL,         -- UTC ISO-8601; an expired lease may be taken over
  PRIMARY KEY (device_id, problem_id, variant_id)
);
CREATE TABLE calibrations (          -- the model's constants fitted to a device's measurements
  id INTEGER PRIMARY KEY,
  device_id INTEGER NOT NULL REFERENCES devices(id),
  constants TEXT NOT NULL,           -- JSON: name -> value
  fit TEXT NOT NULL DEFAULT '{}',    -- JSON: points used, residuals, source run ids
  created_at TEXT NOT NULL
);
)sql";

int read_int_pragma(Database& db, const char* pragma) {
  Statement statement(db, fmt::format("PRAGMA {}", pragma));
  return statement.step() ? static_cast<int>(statement.column_int(0)) : 0;
}

void set_version(Database& db, int version) {
  db.exec(fmt::format("PRAGMA application_id = {}; PRAGMA user_version = {};", kApplicationId,
                      version));
}

// Table -> column names of a table list query.
std::map<std::string, std::set<std::string>> columns_of(Database& db) {
  std::map<std::string, std::set<std::string>> result;
  Statement tables(db, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE "
                       "'sqlite_%'");
  while (tables.step()) {
    const auto table = tables.column_text(0);
    auto& columns = result[table];
    Statement info(db, "SELECT name FROM pragma_table_info(?1)");
    info.bind(1, table);
    while (info.step())
      columns.insert(info.column_text(0));
  }
  return result;
}

} // namespace

void check_schema_intact(Database& db, int version) {
  // The reference: the same steps applied to an empty in-memory database.
  Database reference(":memory:");
  reference.exec(kSchemaV1);
  if (version >= 2)
    reference.exec(kUpgradeV1ToV2);
  if (version >= 3)
    reference.exec(kUpgradeV2ToV3);
  const auto actual = columns_of(db);
  for (const auto& [table, columns] : columns_of(reference)) {
    auto found = actual.find(table);
    if (found == actual.end()) {
      throw UsageError(fmt::format("'{}' is a damaged lutgemm database (schema version {} has a "
                                   "table '{}', the file does not); it was left untouched",
                                   db.path(), version, table));
    }
    for (const auto& column : columns) {
      if (!found->second.count(column)) {
        throw UsageError(fmt::format("'{}' is a damaged lutgemm database (table '{}' lacks "
                                     "column '{}'); it was left untouched",
                                     db.path(), table, column));
      }
    }
  }
}

SchemaProbe probe_schema(Database& db) {
  // The first read of a file that is not a database fails here with SQLITE_NOTADB, before anything
  // was written.
  sqlite3_stmt* raw = nullptr;
  int rc = sqlite3_prepare_v2(db.handle(), "SELECT count(*) FROM sqlite_master", -1, &raw, nullptr);
  if (rc == SQLITE_OK)
    rc = sqlite3_step(raw);
  std::int64_t tables = rc == SQLITE_ROW ? sqlite3_column_int64(raw, 0) : 0;
  std::string message = sqlite3_errmsg(db.handle());
  sqlite3_finalize(raw);
  if (rc != SQLITE_ROW) {
    throw UsageError(fmt::format("'{}' is not a usable SQLite database ({}); it was left untouched",
                                 db.path(), message));
  }
  SchemaProbe probe;
  probe.empty = tables == 0;
  probe.is_lutgemm = read_int_pragma(db, "application_id") == kApplicationId;
  probe.version = read_int_pragma(db, "user_version");
  return probe;
}

void ensure_schema(Database& db) {
  auto check = [&](const SchemaProbe& probe) {
    if (probe.empty)
      return;
    if (!probe.is_lutgemm) {
      throw UsageError(fmt::format(
          "'{}' is a SQLite database but not a lutgemm one; it was left untouched", db.path()));
    }
    if (probe.version > kSchemaVersion) {
      throw UsageError(fmt::format("'{}' has schema version {}, newer than this lutgemm's {}; "
                                   "use a newer lutgemm (the file was left untouched)",
                                   db.path(), probe.version, kSchemaVersion));
    }
    if (probe.version < 1) {
      throw UsageError(
          fmt::format("'{}' has an invalid lutgemm schema version {}", db.path(), probe.version));
    }
  };
  SchemaProbe probe = probe_schema(db);
  check(probe);
  if (!probe.empty)
    check_schema_intact(db, probe.version); // before anything is written, WAL included
  if (!probe.empty && probe.version == kSchemaVersion) {
    db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;");
    return;
  }
  // WAL with synchronous = NORMAL: a commit survives the process being killed (SIGKILL, Ctrl-C);
  // only an OS crash or power loss may drop the last commits. Only a writer gets here; WAL is set
  // outside the transaction (SQLite requires it).
  db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;");
  Transaction transaction(db);
  probe = probe_schema(db); // another process may have created or upgraded it meanwhile
  check(probe);
  int version = probe.empty ? 0 : probe.version;
  if (version == 0) {
    db.exec(kSchemaV1);
    version = 1;
  }
  if (version == 1) {
    db.exec(kUpgradeV1ToV2);
    version = 2;
  }
  if (version == 2) {
    db.exec(kUpgradeV2ToV3);
    version = 3;
  }
  set_version(db, version);
  transaction.commit();
}

void create_schema_v1(Database& db) {
  Transaction transaction(db);
  db.exec(kSchemaV1);
  set_version(db, 1);
  transaction.commit();
}

Problem problem_from_columns(const Statement& s, int first_column) {
  Problem p;
  p.m = s.column_int(first_column);
  p.k = s.column_int(first_column + 1);
  p.batch = static_cast<int>(s.column_int(first_column + 2));
  p.bits = static_cast<int>(s.column_int(first_column + 3));
  p.group = static_cast<int>(s.column_int(first_column + 4));
  p.has_offset = s.column_int(first_column + 5) != 0;
  return p;
}

} // namespace lutgemm::store
