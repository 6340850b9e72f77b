// `lutgemm tune`: the main job. For each problem: the LUT-GEMM search space, pre-filter, compile,
// verify against the float64 reference, then time on a GPU (cuda) or rank by the performance model
// for a target (emu: verified in the host emulator, never reported as measured); every result is
// committed as it is made, so Ctrl-C keeps what is done and the same command resumes. Baselines
// (cuBLAS, OPTQ) are timed on cuda with the same rules and stored as their own kernel families.
#include "baselines/provider.hpp"
#include "build_info.hpp"
#include "cli/calibrated_target.hpp"
#include "cli/cli_common.hpp"
#include "cli/command_registry.hpp"
#include "cli/device_workers.hpp"
#include "cli/seed_option.hpp"
#include "cli/space_options.hpp"
#include "cli/target_spec_option.hpp"
#include "cli/tune_setup.hpp"
#include "common/error.hpp"
#include "cuda/device_info.hpp"
#include "cuda/driver_api.hpp"
#include "cuda/preflight.hpp"
#include "jit/nvrtc_compiler.hpp"
#include "measure/timing_plan.hpp"
#include "problem/presets.hpp"
#include "search/baseline_runner.hpp"
#include "search/device_list.hpp"
#include "search/shard.hpp"
#include "search/tune_output.hpp"
#include "search/variant_evaluator.hpp"
#include "search/worker_evaluator.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>

namespace lutgemm::cli {
namespace {

std::atomic<bool> g_stop{false};

// SIGINT (Ctrl-C) and SIGTERM (scancel, kill) stop the sweep between variants, so the run ends
// 'interrupted' with everything finished stored; the same signal again ends the process at once.
extern "C" void on_interrupt(int signal_number) {
  g_stop.store(true);
  std::signal(signal_number, SIG_DFL);
}

// Installs on_interrupt for SIGINT and SIGTERM while alive; the previous handlers after.
class StopOnSignals {
public:
  StopOnSignals()
      : int_(std::signal(SIGINT, on_interrupt)), term_(std::signal(SIGTERM, on_interrupt)) {}
  ~StopOnSignals() { restore(); }
  StopOnSignals(const StopOnSignals&) = delete;
  StopOnSignals& operator=(const StopOnSignals&) = delete;
  void restore() {
    if (restored_)
      return;
    std::signal(SIGINT, int_);
    std::signal(SIGTERM, term_);
    restored_ = true;
  }

private:
  void (*int_)(int);
  void (*term_)(int);
  bool restored_ = false;
};

std::string command_line() {
  std::ifstream in("/proc/self/cmdline", std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  for (auto& c : text)
    if (c == '\0')
      c = ' ';
  while (!text.empty() && text.back() == ' ')
    text.pop_back();
  return text;
}

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> items;
  std::stringstream in(text);
  for (std::string item; std::getline(in, item, ',');)
    if (!item.empty())
      items.push_back(item);
  return items;
}

// The default problem set: two decoder shapes of a 7B-class model at q3 g128 (overridable with
// --bits/--group/--batch): small enough for the emulator, real enough for a GPU.
const char* const kDefaultShapes[] = {"4096x4096", "11008x4096"};

class TuneCommand final : public Command {
public:
  void setup(CLI::App& app) override {
    app.add_option("--backend", backend_, "cuda, emu, or auto (cuda when a device exists)")
        ->default_val(backend_);
    cli::add_target_options(app, target_,
                            "Built-in GPU for the model and pre-filter (emu; default a100-80gb): " +
                                known_target_keys());
    app.add_option("--preset", preset_, "Model preset: every linear layer of one decoder layer");
    app.add_option("--layers", layers_, "With --preset: only these layers (comma-separated)");
    app.add_option("--shape", shapes_,
                   "Weight shape MxK (repeatable; default: 4096x4096 and "
                   "11008x4096)");
    problem_.add_quantization_to(app);
    app.add_option("--strategy", strategy_, "exhaustive, random or model")->default_val(strategy_);
    app.add_option("--budget", budget_, "random/model: at most N variants per problem (0: all)")
        ->default_val(0);
    app.add_option("--seed", seed_, "Seed of the random strategy and the test data")
        ->default_val(1)
        ->check(kSeedValidator); // -1 would wrap to 2^64-1
    app.add_option("--space", space_,
                   "small (curated, the emu default) or full (the cuda "
                   "default)");
    add_param_option(app, params_);
    app.add_option("--db", db_,
                   "Results database (default $LUTGEMM_DB or "
                   "results/local/lutgemm.db)");
    app.add_option("--baselines", baselines_, "all, none or a list of: " + provider_list())
        ->default_val(baselines_);
    device_option_ = app.add_option("--device", ordinal_, "CUDA device ordinal")->default_val(0);
    app.add_option("--devices", devices_,
                   "One tuner per device on this node, one database: 'all' or a list such as "
                   "0,1,2,3 (emu: a number of emulator workers); leaders re-measured once after");
    // Internal: this process is a worker of `--devices`, whose first device is this one.
    app.add_option("--devices-worker", devices_worker_)->group("");
    // Internal: such a worker's progress lines, prefixed (absent when the parent is --quiet).
    app.add_option("--progress-prefix", progress_prefix_)->group("");
    app.add_flag("--retest-leaders", retest_leaders_,
                 "Re-measure the leaders of the results already stored (e.g. merged shards) as "
                 "the unsharded tune does after its sweep; evaluates no variant again");
    app.add_flag("--isolate", isolate_, "Run variants in a worker process (the cuda default)");
    app.add_flag("--no-isolate", no_isolate_, "cuda: run variants in this process");
    app.add_option("--variant-timeout", variant_timeout_s_,
                   "Seconds one variant may take in the worker before it is killed")
        ->default_val(variant_timeout_s_);
    app.add_flag("--counters", counters_,
                 "emu: count each variant's memory requests (bank conflicts, sectors) in the "
                 "emulator, store them, and model with them (a second host compile per variant)");
    app.add_option("--verify", verify_,
                   "emu: proxy (a small shape keeping the real M tail) or full (the real shape)")
        ->default_val(verify_);
    app.add_option("--shard", shard_,
                   "I/N: only the I-th (0-based) of N parts of the work, split by predicted cost "
                   "and the same on every machine (merge the shards' databases with `lutgemm "
                   "merge`)");
    app.add_flag("--json", json_, "Print the summary as JSON on stdout");
    app.add_flag("--quiet", quiet_, "No progress lines");
  }

  // The tune in its steps, each a function below: check every argument, start the --devices
  // workers (if any), set up the backend and evaluator, open the run, sweep (or re-test the
  // leaders), time the baselines, close the run and print. The order is the contract: nothing
  // touches a device or the database before the arguments are checked, and every result is stored
  // before the next step starts.
  int run() override {
    const Arguments args = check_arguments();
    const auto devices = prepare_devices(args.use_cuda);
    const std::string db_path = db_.empty() ? default_db_path() : db_;
    auto store = store::Store::open(db_path);
    std::vector<DeviceWorkerExit> worker_exits;
    if (!devices.empty())
      if (auto exit_code = run_workers(devices, args.use_cuda, db_path, worker_exits))
        return *exit_code;

    auto setup =
        make_tune_setup(args.use_cuda, target_, ordinal_, db_path, variant_timeout_s_, counters_);
    auto& config = setup.config;
    config.small_space = space_.empty() ? !args.use_cuda : space_ == "small";
    config.restrictions = params_;
    config.seed = seed_;
    config.verify_full = verify_ == "full";
    search::VariantEvaluator local(setup.backend, config);
    auto worker = isolated_evaluator(local, config, args.use_cuda, db_path);
    search::Evaluator& evaluator = worker ? static_cast<search::Evaluator&>(*worker) : local;
    const auto info = run_info(args, store, setup);
    const auto run_id = store.begin_run(info);

    search::TuneDriver driver_loop(
        store, evaluator, tune_options(args), run_id,
        results_device_id(store, setup.device, info.device_id, args.use_cuda));
    if (!quiet_)
      fmt::print(stderr,
                 "lutgemm tune: {} problem(s) on {} [{} backend], strategy {}, database {}\n",
                 args.problems.size(), setup.device.name, info.backend, info.strategy, db_path);
    g_stop.store(false);
    StopOnSignals signals;
    std::vector<search::ProblemSummary> summaries;
    try {
      summaries = sweep(driver_loop, args.problems, !devices.empty(), worker_exits);
    } catch (...) {
      signals.restore();
      store.end_run(run_id, store::RunStatus::failed);
      throw;
    }
    Baselines baselines;
    if (!args.use_cuda)
      baselines.note = args.baseline_names.empty()
                           ? "baselines: none selected"
                           : "baselines were not timed: the emu backend has no GPU, and cuBLAS "
                             "and the OPTQ kernels are only timed on a device (no speed-ups shown)";
    else if (!driver_loop.interrupted() && args.shard.index == 0 && !retest_leaders_ &&
             !devices_worker_) // once over all shards and device workers
      baselines.results = time_baselines(args, store, run_id, info.device_id, config);
    signals.restore();
    const bool interrupted = driver_loop.interrupted() || g_stop.load();
    store.end_run(run_id,
                  interrupted ? store::RunStatus::interrupted : store::RunStatus::completed);
    const Finished finished{run_id,        db_path,           info.backend, setup.device.name,
                            args.use_cuda, setup.source_note, interrupted};
    if (json_)
      print_json(finished, summaries, baselines);
    else
      print_text(finished, summaries, baselines);
    return interrupted ? 130 : 0;
  }

private:
  // What the arguments decide, each checked before any device or database is touched.
  struct Arguments {
    search::Strategy strategy;
    std::vector<Problem> problems;
    search::ShardSpec shard;
    std::vector<std::string> baseline_names;
    bool use_cuda = false;
  };

  // Every argument, in the order the errors are reported: a bad value is one line and exit 2
  // before any device starts or the database is created.
  Arguments check_arguments() const {
    Arguments args;
    args.strategy = search::strategy_from_string(strategy_);
    if (budget_ < 0)
      throw UsageError(fmt::format("--budget {} is negative", budget_));
    args.problems = build_problems();
    args.shard = shard_.empty() ? search::ShardSpec{} : search::parse_shard(shard_);
    args.baseline_names = baselines::parse_provider_list(baselines_);
    if (backend_ != "auto" && backend_ != "cuda" && backend_ != "emu")
      throw UsageError(fmt::format("unknown backend '{}' (allowed: auto, cuda, emu)", backend_));
    if (!target_.empty()) {
      load_calibrated_target(target_, db_.empty() ? default_db_path() : db_);
      (void)find_target(target_);
    }
    check_variant_timeout(variant_timeout_s_);
    if (verify_ != "proxy" && verify_ != "full")
      throw UsageError(fmt::format("--verify '{}' is not proxy or full", verify_));
    if (isolate_ && no_isolate_)
      throw UsageError("give --isolate or --no-isolate, not both");
    if (!space_.empty() && space_ != "small" && space_ != "full")
      throw UsageError(fmt::format("--space '{}' is not small or full", space_));
    args.use_cuda = backend_ == "cuda";
    if (backend_ == "auto")
      args.use_cuda = cuda::driver_status().ok();
    if (retest_leaders_ && !args.shard.all())
      throw UsageError("--retest-leaders re-tests the whole work (after the merge), not a --shard");
    // A restriction is checked against the space now, not after the device starts.
    {
      auto probe = space::family_space(space::Family::lutgemm);
      space::apply_restrictions(probe, params_);
    }
    // No device for --backend cuda: the one line, before the database is created or touched.
    if (args.use_cuda && !cuda::driver_status().ok())
      throw cuda::DriverUnavailable(cuda::driver_status().message + " (use --backend emu)");
    if (counters_ && args.use_cuda) // before the database (and any --devices worker) exists
      throw UsageError("--counters is for the emu backend (on a GPU, use Nsight Compute)");
    return args;
  }

  // The --devices ordinals (empty without it), and on cuda each device's preflight: a setup that
  // cannot work is one line, exit 2, before any context or store. The leaders are re-measured on
  // the first listed device, after the workers.
  std::vector<int> prepare_devices(bool use_cuda) {
    const auto devices = device_list(use_cuda);
    if (!devices.empty())
      ordinal_ = devices.front();
    if (use_cuda)
      for (int ordinal : devices.empty() ? std::vector<int>{ordinal_} : devices)
        cuda::require_preflight(ordinal, isolate_ || !no_isolate_);
    return devices;
  }

  // --devices: the workers sweep (on this database, sharing the work through claims); this
  // process then re-tests the leaders over what they stored, once. Returns the exit code when the
  // tune must end here (a worker failed: 1; interrupted: 130), nullopt to go on.
  std::optional<int> run_workers(const std::vector<int>& devices, bool use_cuda,
                                 const std::string& db_path,
                                 std::vector<DeviceWorkerExit>& exits) const {
    if (!quiet_)
      fmt::print(stderr, "lutgemm tune: {} workers ({} {}) on database {}\n", devices.size(),
                 use_cuda ? "CUDA devices" : "emulator workers", fmt::join(devices, ","), db_path);
    g_stop.store(false);
    StopOnSignals signals;
    exits = run_device_workers(devices, g_stop, !quiet_);
    signals.restore();
    bool interrupted = g_stop.load();
    for (const auto& w : exits) {
      if (w.exit_code == 130 || w.exit_code == 128 + SIGINT) {
        interrupted = true;
      } else if (w.exit_code != 0) {
        fmt::print(stderr,
                   "lutgemm tune: the worker on device {} failed (exit {}); what it "
                   "finished is stored: run the same command again to resume\n",
                   w.ordinal, w.exit_code);
        return 1;
      }
    }
    if (interrupted) {
      fmt::print(stderr,
                 "lutgemm tune: interrupted; the workers' results are stored in {} (run "
                 "the same command again to resume)\n",
                 db_path);
      return 130;
    }
    return std::nullopt;
  }

  // The evaluator in a worker process (`lutgemm worker`, the cuda default): a faulting or hanging
  // kernel then ends only the worker. Null when variants run in this process.
  std::unique_ptr<search::WorkerEvaluator> isolated_evaluator(search::VariantEvaluator& local,
                                                              const search::EvaluatorConfig& config,
                                                              bool use_cuda,
                                                              const std::string& db_path) const {
    if (!isolate_ && !(use_cuda && !no_isolate_))
      return nullptr;
    std::vector<std::string> argv{std::filesystem::read_symlink("/proc/self/exe").string(),
                                  "worker",
                                  "--backend",
                                  use_cuda ? "cuda" : "emu",
                                  "--target",
                                  std::string(config.target->key),
                                  "--device",
                                  std::to_string(ordinal_),
                                  "--db",
                                  db_path,
                                  "--seed",
                                  std::to_string(seed_),
                                  "--variant-timeout",
                                  fmt::format("{}", variant_timeout_s_),
                                  "--verify",
                                  verify_};
    if (counters_)
      argv.push_back("--counters");
    return std::make_unique<search::WorkerEvaluator>(
        local, argv, std::chrono::milliseconds(static_cast<long>(variant_timeout_s_ * 1000)));
  }

  // The run's row: how it was made (command, build, toolchain, backend, strategy, shard, device).
  store::RunInfo run_info(const Arguments& args, store::Store& store,
                          const TuneSetup& setup) const {
    store::RunInfo info;
    info.command_line = command_line();
    info.git_sha = build_info::kGitSha;
    info.toolkit_version = build_info::kCudaToolkitVersion;
    info.nvrtc_version = nvrtc_version_text();
    info.driver_version = setup.driver;
    info.backend = args.use_cuda ? "cuda" : "emu";
    info.strategy = search::to_string(args.strategy);
    info.device_id = store.device_id(setup.device);
    info.shard = args.shard.text();
    return info;
  }

  // The device the results are stored under: a --devices worker on a GPU stores them under the
  // first listed device's record (the same GPU model, checked by the parent), so that the claims
  // split the work between the GPUs; its run keeps its own device (runs.device_id).
  std::int64_t results_device_id(store::Store& store, const store::DeviceRecord& device,
                                 std::int64_t own_id, bool use_cuda) const {
    if (!devices_worker_ || !use_cuda || *devices_worker_ == ordinal_)
      return own_id;
    auto shared = device;
    shared.key = fmt::format("cuda:{}:{}", device.name, *devices_worker_);
    return store.device_id(shared);
  }

  search::TuneOptions tune_options(const Arguments& args) const {
    search::TuneOptions options;
    options.strategy.strategy = args.strategy;
    options.strategy.budget = static_cast<std::size_t>(budget_);
    options.strategy.seed = seed_;
    options.shard = args.shard;
    options.remeasure_leaders = !devices_worker_; // the parent of the workers does it, once
    // A live tuner must never lose its claim mid-variant: the lease outlasts a compile plus a
    // launch, each bounded by the variant timeout.
    options.claim_lease_s = std::max(options.claim_lease_s, 2 * variant_timeout_s_ + 60);
    return options;
  }

  // The sweep with its progress lines; after --devices workers (or with --retest-leaders), only
  // the leader step over what is stored, counting what the workers evaluated as evaluated here.
  std::vector<search::ProblemSummary> sweep(search::TuneDriver& driver_loop,
                                            const std::vector<Problem>& problems,
                                            bool after_workers,
                                            const std::vector<DeviceWorkerExit>& worker_exits) {
    // A --devices worker is --quiet but for its progress lines, which name its device.
    search::ProgressPrinter printer(stderr,
                                    progress_prefix_.empty()
                                        ? search::ProgressPrinter::style_for(stderr, quiet_)
                                        : search::ProgressStyle::lines,
                                    progress_prefix_);
    std::vector<search::ProblemSummary> summaries;
    try {
      if (retest_leaders_ || after_workers) {
        summaries = driver_loop.retest_leaders(problems);
        for (auto& summary : summaries) // what the workers evaluated, out of what is stored
          for (const auto& w : worker_exits)
            if (auto it = w.evaluated.find(to_string(summary.problem)); it != w.evaluated.end())
              summary.evaluated += it->second;
        for (auto& summary : summaries)
          summary.resumed -= std::min(summary.resumed, summary.evaluated);
      } else {
        summaries = driver_loop.run(problems, std::ref(printer), &g_stop);
      }
    } catch (...) {
      printer.finish();
      throw;
    }
    printer.finish();
    return summaries;
  }

  // Problem key -> the baselines' outcomes, or why none were timed.
  struct Baselines {
    std::map<std::string, std::vector<search::BaselineOutcome>> results;
    std::string note;
  };

  // cuBLAS and OPTQ timed on the GPU with the same rules as the variants (cold weights: rotated
  // fp16 copies adding up to more than 2x L2), stored as their own kernel families.
  std::map<std::string, std::vector<search::BaselineOutcome>>
  time_baselines(const Arguments& args, store::Store& store, std::int64_t run_id,
                 std::int64_t device_id, const search::EvaluatorConfig& config) const {
    std::map<std::string, std::vector<search::BaselineOutcome>> results;
    for (const auto& problem : args.problems) {
      if (g_stop.load())
        break;
      search::BaselineRunContext context;
      context.store = &store;
      context.run_id = run_id;
      context.device_id = device_id;
      context.problem_id = store.problem_id(problem);
      context.stop = config.stop;
      const auto cold =
          measure::plan_cold_l2(problem.m * problem.k * 2, config.l2_bytes, std::int64_t{4} << 30);
      context.weight_copies = cold.flush ? 1 : cold.copies;
      context.l2_bytes = config.l2_bytes; // int8 weights are half the fp16 bytes
      context.dram_peak_gbps = config.dram_peak_gbps;
      context.seed = seed_;
      results[to_string(problem)] = search::run_baselines(problem, args.baseline_names, context);
    }
    return results;
  }

  // What the summary prints about the run itself.
  struct Finished {
    std::int64_t run_id;
    std::string db_path, backend, device;
    bool use_cuda;
    std::string source_note;
    bool interrupted;
  };

  static void print_json(const Finished& run, const std::vector<search::ProblemSummary>& summaries,
                         const Baselines& baselines) {
    nlohmann::json j{{"run_id", run.run_id},
                     {"database", run.db_path},
                     {"backend", run.backend},
                     {"device", run.device},
                     {"time_source", run.use_cuda ? "measured" : "modelled"},
                     {"source_note", run.source_note},
                     {"interrupted", run.interrupted},
                     {"problems", search::summary_json(summaries)}};
    if (!baselines.note.empty())
      j["baselines_note"] = baselines.note;
    for (auto& p : j["problems"]) {
      auto it = baselines.results.find(p["problem"].get<std::string>());
      if (it == baselines.results.end())
        continue;
      p["baselines"] = nlohmann::json::array();
      for (const auto& b : it->second) {
        nlohmann::json row{{"provider", b.provider},
                           {"disposition", to_string(b.disposition)},
                           {"message", b.message}};
        if (b.median_us) {
          row["median_us"] = *b.median_us;
          if (!p["best_us"].is_null())
            row["speedup_of_best"] = *b.median_us / p["best_us"].get<double>();
        }
        p["baselines"].push_back(row);
      }
    }
    std::cout << j.dump(2) << "\n";
  }

  static void print_text(const Finished& run, const std::vector<search::ProblemSummary>& summaries,
                         const Baselines& baselines) {
    fmt::print("{}", search::summary_table(summaries, run.source_note));
    for (const auto& s : summaries) {
      auto it = baselines.results.find(to_string(s.problem));
      if (it == baselines.results.end())
        continue;
      for (const auto& b : it->second) {
        if (b.median_us && s.best_us)
          fmt::print("{}: {} {} -> best LUT-GEMM is {:.2f}x faster\n", to_string(s.problem),
                     b.provider, search::format_time_us(*b.median_us), *b.median_us / *s.best_us);
        else
          fmt::print("{}: {} {}: {}\n", to_string(s.problem), b.provider, to_string(b.disposition),
                     b.message);
      }
    }
    if (!baselines.note.empty())
      fmt::print("{}\n", baselines.note);
    fmt::print("run {} stored in {}{}\n", run.run_id, run.db_path,
               run.interrupted ? " (interrupted: run the same command again to resume)" : "");
  }

  // --devices: the ordinals, checked (and on a GPU, the same model everywhere) before anything is
  // written; empty without --devices.
  std::vector<int> device_list(bool use_cuda) const {
    if (devices_.empty())
      return {};
    if (device_option_->count() > 0)
      throw UsageError("give --device or --devices, not both");
    if (retest_leaders_)
      throw UsageError("--retest-leaders runs on one device: give --device, not --devices");
    if (devices_worker_)
      throw UsageError("--devices-worker is internal to --devices");
    const int count = use_cuda ? cuda::driver_status().device_count : 0;
    auto ordinals = search::parse_device_list(devices_, !use_cuda, count);
    if (use_cuda && ordinals.size() > 1) {
      // The workers share one device record (and so one set of results): one GPU model only.
      const auto all = cuda::query_devices();
      for (int ordinal : ordinals) {
        const auto& name = all.at(static_cast<std::size_t>(ordinal)).name;
        const auto& first = all.at(static_cast<std::size_t>(ordinals.front())).name;
        if (name != first)
          throw UsageError(fmt::format("--devices {}: device {} is a {} and device {} a {}; tune "
                                       "different GPU models separately",
                                       devices_, ordinal, name, ordinals.front(), first));
      }
    }
    return ordinals;
  }

  static std::string provider_list() {
    std::string text;
    for (const auto& name : baselines::provider_names())
      text += (text.empty() ? "" : ", ") + name;
    return text;
  }

  std::vector<Problem> build_problems() const {
    std::vector<std::string> shapes = shapes_;
    if (!preset_.empty()) {
      if (!shapes_.empty())
        throw UsageError("give either --preset or --shape, not both");
      const auto& preset = find_preset(preset_);
      auto wanted = split_list(layers_);
      for (const auto& name : wanted) {
        bool known = false;
        for (const auto& l : preset.linears)
          known = known || l.name == name;
        if (!known) {
          std::string names;
          for (const auto& l : preset.linears)
            names += (names.empty() ? "" : ", ") + l.name;
          throw UsageError(
              fmt::format("unknown layer '{}' of {} (layers: {})", name, preset.name, names));
        }
      }
      for (const auto& l : preset.linears)
        if (wanted.empty() || std::find(wanted.begin(), wanted.end(), l.name) != wanted.end())
          shapes.push_back(fmt::format("{}x{}", l.m, l.k));
    } else if (!layers_.empty()) {
      throw UsageError("--layers needs --preset");
    }
    if (shapes.empty())
      shapes.assign(std::begin(kDefaultShapes), std::end(kDefaultShapes));
    std::vector<Problem> problems;
    for (const auto& shape : shapes) {
      ProblemOptions options = problem_;
      options.shape = shape;
      auto p = options.problem();
      if (std::find(problems.begin(), problems.end(), p) == problems.end())
        problems.push_back(p);
    }
    return problems;
  }

  std::string backend_ = "auto", target_, preset_, layers_, strategy_ = "exhaustive", space_, db_;
  std::string baselines_ = "all", shard_, devices_;
  std::optional<int> devices_worker_;
  std::string progress_prefix_;
  CLI::Option* device_option_ = nullptr;
  bool retest_leaders_ = false;
  std::vector<std::string> shapes_, params_;
  ProblemOptions problem_;
  int budget_ = 0, ordinal_ = 0;
  std::uint64_t seed_ = 1;
  bool json_ = false, quiet_ = false, isolate_ = false, no_isolate_ = false, counters_ = false;
  double variant_timeout_s_ = 300;
  std::string verify_ = "proxy";
};

const Registration kRegistration{
    "tune", "Tune LUT-GEMM for a GPU (cuda) or verify in the emulator and rank by the model (emu)",
    40, [] { return std::make_unique<TuneCommand>(); }};

} // namespace
} // namespace lutgemm::cli
