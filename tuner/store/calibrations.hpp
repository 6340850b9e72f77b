#pragma once
// The store's side of `lutgemm calibrate` (tuner/model/calibration.hpp): the measured rows of a
// device that a fit uses, and the calibrations table (schema v3: device, constants JSON, fit JSON).
// Reading never writes; the one write, a calibration, is one transaction.
#include "problem/problem.hpp"
#include "store/sqlite.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace lutgemm::store {

// Opens an existing lutgemm database without writing to it. UsageError, one line, when the path
// does not exist, is not a SQLite file, is another program's database or a newer lutgemm's.
// `mode` read_write_create is allowed (the file must still exist): for the calibration insert.
Database open_existing_database(const std::string& path,
                                Database::Mode mode = Database::Mode::read_only);

struct DeviceRow {
  std::int64_t id = 0;
  std::string key, name, backend, arch;
};
std::vector<DeviceRow> list_devices(Database& db);

// A device by name or key: exact (case-insensitive), else the unique device whose name contains
// `wanted`. nullopt when none matches; UsageError when several do (naming them).
std::optional<DeviceRow> find_device(Database& db, const std::string& wanted);

struct MeasuredRow {
  std::string family, label, params_json;
  Problem problem;
  double median_us = 0;
  int registers = 0; // 0 when unknown
  std::int64_t run_id = 0;
};

// The device's measured (source 'measured', disposition ok) times, the newest per (problem,
// variant), in insertion order.
std::vector<MeasuredRow> measured_rows(Database& db, std::int64_t device_id);

struct CalibrationRow {
  std::int64_t id = 0;
  std::int64_t device_id = 0;
  std::string constants_json, fit_json, created_at;
};

// The device's newest calibration; nullopt when it has none (or the schema predates the table).
std::optional<CalibrationRow> latest_calibration(Database& db, std::int64_t device_id);

// Inserts a calibration in one transaction and returns its id. The database must have schema v3.
std::int64_t insert_calibration(Database& db, std::int64_t device_id,
                                const std::string& constants_json, const std::string& fit_json);

} // namespace lutgemm::store
