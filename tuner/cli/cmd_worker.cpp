// `lutgemm worker`: the process `lutgemm tune` runs variants in (fault isolation, see
// tuner/search/worker_evaluator.hpp). Reads one JSON request per line on stdin, writes one JSON
// reply per line on stdout, until stdin closes. Not meant to be run by hand.
#include "backend/cuda_backend.hpp"
#include "cli/command_registry.hpp"
#include "cli/seed_option.hpp"
#include "cli/target_spec_option.hpp"
#include "cli/tune_setup.hpp"
#include "search/worker_evaluator.hpp"

#include <nlohmann/json.hpp>

#include <iostream>

namespace lutgemm::cli {
namespace {

class WorkerCommand final : public Command {
public:
  void setup(CLI::App& app) override {
    app.add_option("--backend", backend_, "cuda or emu")->default_val(backend_);
    cli::add_target_options(app, target_, "Built-in target (model and pre-filter)");
    app.add_option("--device", ordinal_, "CUDA device ordinal")->default_val(0);
    app.add_option("--db", db_, "Database holding the JIT's SQLite tier")->required();
    app.add_option("--seed", seed_, "Seed of the test data")
        ->default_val(1)
        ->check(kSeedValidator); // -1 would wrap to 2^64-1
    app.add_option("--variant-timeout", variant_timeout_s_, "Seconds per launch and compile (emu)")
        ->default_val(variant_timeout_s_);
    app.add_option("--verify", verify_, "proxy or full (emu)")->default_val(verify_);
    app.add_flag("--counters", counters_, "emu: count each variant's memory requests");
  }

  int run() override {
    std::unique_ptr<search::VariantEvaluator> evaluator;
    std::shared_ptr<backend::CudaBackend> cuda;
    std::string failure;
    try {
      auto setup = make_tune_setup(backend_ == "cuda", target_, ordinal_, db_, variant_timeout_s_,
                                   counters_);
      setup.config.seed = seed_;
      setup.config.verify_full = verify_ == "full";
      cuda = std::dynamic_pointer_cast<backend::CudaBackend>(setup.backend);
      evaluator = std::make_unique<search::VariantEvaluator>(setup.backend, setup.config);
    } catch (const std::exception& e) {
      failure = e.what(); // answered to every request, so the parent records why
    }
    for (std::string line; std::getline(std::cin, line);) {
      if (evaluator) {
        auto reply = search::serve_worker_request(*evaluator, line);
        if (cuda && cuda->poisoned()) { // a sticky fault: answer, then let a new process go on
          std::cout << search::with_restart_request(reply) << "\n" << std::flush;
          return 0;
        }
        std::cout << reply << "\n";
      } else
        std::cout << nlohmann::json{{"error", failure}}.dump() << "\n";
      std::cout.flush();
    }
    return 0;
  }

private:
  std::string backend_ = "cuda", target_, db_;
  int ordinal_ = 0;
  bool counters_ = false;
  std::uint64_t seed_ = 1;
  double variant_timeout_s_ = 300;
  std::string verify_ = "proxy";
};

const Registration kRegistration{
    "worker", "Internal: runs variants for `lutgemm tune` in an isolated process (JSON lines)", 90,
    [] { return std::make_unique<WorkerCommand>(); }};

} // namespace
} // namespace lutgemm::cli
