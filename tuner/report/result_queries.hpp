#pragma once
// The read-only view of a results database that reports, plots and the header export need. The
// tuner's store (tuner/store/, the one module that owns SQL) implements it over SQLite
// (tuner/store/report_queries.cpp); InMemoryResults implements it for tests.
#include "problem/problem.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lutgemm::report {

// How a stored time was obtained. Only `measured` times fill "measured" columns.
enum class TimeSource { measured, modelled };
std::string_view to_string(TimeSource source);
TimeSource time_source_from_string(std::string_view text); // throws UsageError

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
  TimeSource source = TimeSource::measured;
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

// Opens a results database read-only (implemented by the store). Throws UsageError when the file
// is missing or not a lutgemm database.
std::unique_ptr<ResultQueries> open_result_database(const std::string& path);

// Whether a result of `kernel` answers a request for `wanted`: baselines that do not quantize
// (cuBLAS) ignore bits and group; OPTQ ignores the group (per-channel); everything else matches
// the whole problem.
bool answers(const ResultRow& row, const Problem& wanted, std::string_view kernel);

// The fastest row that answers (wanted, kernel) with the given source; nullopt when none.
std::optional<ResultRow> best_result(const std::vector<ResultRow>& rows, const Problem& wanted,
                                     std::string_view kernel,
                                     TimeSource source = TimeSource::measured);

} // namespace lutgemm::report
