#pragma once
// What `lutgemm tune` and its worker (`lutgemm worker`) both build: the backend (a CUDA device, or
// the emulator with a model target), the evaluator's configuration (pre-filter limits, DRAM peak,
// L2 size) and the device record the results are stored under.
#include "backend/backend.hpp"
#include "search/variant_evaluator.hpp"
#include "store/store.hpp"

#include <memory>
#include <string>

namespace lutgemm::cli {

struct TuneSetup {
  std::shared_ptr<backend::Backend> backend;
  search::EvaluatorConfig config;
  store::DeviceRecord device;
  std::string source_note;     // how the times were obtained, for the summary
  std::string driver = "none"; // driver version text
};

// `target`: a built-in target key or "" (cuda: the device's own match; emu: a100-80gb).
// `db_path`: the database whose compile_cache is the JIT's SQLite tier (cuda). Throws
// DriverUnavailable (cuda without a device) or UsageError (unknown target).
// `variant_timeout_s` bounds each emulated launch and each host compile (emu).
// `emu_counters`: the emulator counts each variant's main launch (tune --counters).
TuneSetup make_tune_setup(bool use_cuda, const std::string& target, int ordinal,
                          const std::string& db_path, double variant_timeout_s = 300,
                          bool emu_counters = false);

// --variant-timeout: finite, 0.1 s .. 1 day; UsageError naming the value otherwise.
void check_variant_timeout(double seconds);

} // namespace lutgemm::cli
