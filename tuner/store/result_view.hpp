#pragma once
// The read-only view of a results database that reports, plots and the header export need:
// open_result_database implements it over SQLite (store/sqlite_result_view.cpp), InMemoryResults
// in memory (tests). It belongs to the store, the module that owns the database and all SQL, so
// that report and export use the store and the store never uses them (tests/unit/
// test_module_graph). Which result answers a request is report's (report/result_queries.hpp).
#include "measure/disposition.hpp" // TimeSource
#include "problem/problem.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lutgemm::store {

struct DeviceInfo {
  std::string name;           // as stored, e.g. "NVIDIA A100-SXM4-80GB" or "emu (model: a100-80gb)"
  std::string target_key;     // built-in target for floors and the model ("" when unknown)
  std::string driver_version; // "" when unknown
  std::string cuda_version;
  std::int64_t memory_bytes = 0;
};

// One verified variant's time on one problem (failures are not results).
struct ResultRow {
  std::string device;
  Problem problem;
  std::string kernel;        // "lutgemm" or a baseline name (model::Baseline's to_string)
  std::string variant_label; // stable label of the variant
  std::vector<std::pair<std::string, std::int64_t>> params; // the variant's named parameters
  double median_us = 0;
  double noise_pct = 0; // relative spread of the samples, percent
  int samples = 0;
  TimeSource source = TimeSource::measured; // measured or modelled: emulated times are not results
  std::int64_t run_id = 0;
  std::string run_started; // the run's own start date (ISO 8601), never "now"
  std::string git_sha;
  std::string driver_version;
  std::string cuda_version;
  // Emulated shared-memory load wavefronts per request of the main launch (`tune --counters`):
  // 1 = no bank conflicts. 0 = not counted.
  double smem_load_conflict_factor = 0;
};

class ResultQueries {
public:
  virtual ~ResultQueries() = default;
  virtual std::vector<DeviceInfo> devices() const = 0;
  // Every verified result on the device (one row per problem, kernel and variant: the latest
  // run's), in a deterministic order.
  virtual std::vector<ResultRow> results(std::string_view device) const = 0;
};

class InMemoryResults final : public ResultQueries {
public:
  void add_device(DeviceInfo device) { devices_.push_back(std::move(device)); }
  void add(ResultRow row) { rows_.push_back(std::move(row)); }
  std::vector<DeviceInfo> devices() const override { return devices_; }
  std::vector<ResultRow> results(std::string_view device) const override;

private:
  std::vector<DeviceInfo> devices_;
  std::vector<ResultRow> rows_;
};

// Opens a results database read-only. Throws UsageError when the file is missing or not a
// lutgemm database.
std::unique_ptr<ResultQueries> open_result_database(const std::string& path);

} // namespace lutgemm::store
