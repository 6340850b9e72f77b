#pragma once
// The results database: every tune writes here, one transaction per result, so a killed run loses
// nothing and the same command resumes where it stopped. All SQL lives in tuner/store/.
#include "measure/disposition.hpp"
#include "problem/problem.hpp"
#include "store/sqlite.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace lutgemm::store {

struct DeviceRecord {
  std::string key;     // unique: "cuda:<name>:<uuid>" for a GPU, "model:<target>" for a model
  std::string name;    // "NVIDIA A100-SXM4-80GB" or the target's display name
  std::string backend; // cuda | emu
  std::string arch;    // sm_80
  std::optional<int> sm_count;
  std::optional<double> dram_gbps;
  std::optional<std::int64_t> l2_bytes;
  std::string details_json = "{}";
};

struct RunInfo {
  std::string command_line;
  std::string git_sha;
  std::string toolkit_version;
  std::string nvrtc_version;
  std::string driver_version; // "none" without a driver
  std::string backend;
  std::string strategy;
  std::int64_t device_id = 0;
  std::string shard; // "I/N" of `tune --shard`; "" = all the work
};

enum class RunStatus { running, completed, failed, interrupted };
std::string to_string(RunStatus status);

struct MeasurementRecord {
  std::int64_t run_id = 0;
  std::int64_t device_id = 0;
  std::int64_t problem_id = 0;
  std::int64_t variant_id = 0;
  std::string phase = "sweep"; // sweep | remeasure
  Disposition disposition = Disposition::skipped;
  std::string message;
  TimeSource source = TimeSource::measured;
  std::optional<double> median_us, iqr_us, min_us, noise_pct;
  int samples = 0;
  std::optional<double> gbps, pct_dram_peak;
  std::optional<double> max_error;
  std::optional<int> registers;
  std::optional<std::int64_t> smem_bytes, spill_bytes;
  std::string proxy_shape; // the emulator's verification shape, "" when verified at the real one
  std::string clocks;      // clock / throttle notes from the driver, "" when unknown
  bool retryable = false;  // the failure was not the variant's own: resume evaluates it again
  std::string counters = "{}"; // JSON: emulated counters (emu/counter_names.hpp), {} when none
};

// A stored result as read back (for resume and summaries).
struct StoredMeasurement {
  std::int64_t id = 0;
  std::int64_t run_id = 0;
  std::string variant_label;
  std::string family;
  std::string problem_key;
  std::string phase;
  Disposition disposition = Disposition::skipped;
  std::string message;
  TimeSource source = TimeSource::measured;
  std::optional<double> median_us, iqr_us, min_us, noise_pct, gbps, pct_dram_peak;
  int samples = 0;
  std::string proxy_shape;
  bool retryable = false; // a failure that says nothing about the variant: resume evaluates again

  // A result a resumed tune keeps: neither skipped (never attempted) nor retryable.
  bool is_final() const { return disposition != Disposition::skipped && !retryable; }
};

struct CompileCacheEntry {
  std::string key_text;
  std::string arch;
  std::string nvrtc_version;
  bool ok = false;
  std::vector<std::uint8_t> binary;
  std::string lowered_name;
  std::string ptx;
  std::string spec_json = "{}";
  std::string log;
  std::optional<int> registers;
  std::optional<std::int64_t> smem_bytes, spill_stores, spill_loads, stack_bytes, barriers;
  std::optional<double> compile_ms;
};

// FNV-1a 64 of `text` as 16 hex digits: stable across builds and machines.
std::string stable_hash(std::string_view text);

class Store {
public:
  // Opens or creates a lutgemm database (creating the parent folder). Throws UsageError, without
  // writing to the file, when it cannot be opened, is not a SQLite file, is another program's
  // database or comes from a newer lutgemm.
  static Store open(const std::string& path);

  std::int64_t device_id(const DeviceRecord& device); // insert or update by key
  std::int64_t problem_id(const Problem& problem);
  std::int64_t variant_id(const std::string& family, const std::string& label,
                          const std::string& params_json);

  std::int64_t begin_run(const RunInfo& run);
  void end_run(std::int64_t run_id, RunStatus status);

  // One transaction per result. A second record for the same (run, problem, variant, phase) is
  // ignored (returns false) so that retries never duplicate.
  bool record(const MeasurementRecord& measurement);

  // Results already in the database for this device and problem with this source and phase, from
  // any run, keyed by variant label (the most recent per variant): what a resumed tune skips when
  // is_final(); a retryable or skipped row is evaluated again.
  std::map<std::string, StoredMeasurement> existing(std::int64_t device_id, std::int64_t problem_id,
                                                    TimeSource source,
                                                    const std::string& phase = "sweep");

  // Every measurement of a run, in insertion order.
  std::vector<StoredMeasurement> run_measurements(std::int64_t run_id);

  // The best ok result per problem on a device (lowest median over all runs and phases).
  std::vector<StoredMeasurement> best_per_problem(std::int64_t device_id);

  // Work claims, so that N tuners on one database evaluate each variant once. claim() takes the
  // claim of (device, problem, variant) for `run_id` (this host and pid) for `lease_s` seconds, in
  // one transaction that first looks for a final sweep result of `source` (then: done). Another
  // claimer's live lease: busy. A lease past its time, or one of a dead process on this host, is
  // taken over. release_claim() drops this process's claim (after its result is recorded).
  enum class Claim { claimed, done, busy };
  Claim claim(std::int64_t device_id, std::int64_t problem_id, std::int64_t variant_id,
              std::int64_t run_id, TimeSource source, double lease_s);
  void release_claim(std::int64_t device_id, std::int64_t problem_id, std::int64_t variant_id);

  std::optional<CompileCacheEntry> find_compiled(const std::string& key_text);
  void store_compiled(const CompileCacheEntry& entry);
  std::int64_t compile_cache_size();

  Database& database() { return db_; }

private:
  explicit Store(Database db) : db_(std::move(db)) {}
  // Runs of this host still 'running' whose process is gone (killed with -9) become 'interrupted'.
  void mark_dead_runs();
  Database db_;
};

} // namespace lutgemm::store
