#pragma once
// Fault isolation for the cuda backend: evaluate() and remeasure() run in a worker process
// (`lutgemm worker`, one JSON request and one JSON reply per line), so an illegal address that
// poisons the CUDA context, or a kernel that hangs, ends only the worker: the variant is recorded
// as launch_error or timeout, the worker restarts on the next request, and the sweep goes on. The
// space and the model's predictions come from a local evaluator (no device work).
#include "backend/worker_process.hpp"
#include "search/evaluator.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace lutgemm::search {

nlohmann::json to_json(const VariantOutcome& outcome);
VariantOutcome outcome_from_json(const nlohmann::json& j);
nlohmann::json problem_to_json(const Problem& problem);
Problem problem_from_json(const nlohmann::json& j);

// The worker's side of one request line: {"op": "evaluate"|"remeasure", "problem": {...},
// "variant": "<Variant::label()>"} -> one reply line.
std::string serve_worker_request(Evaluator& evaluator, const std::string& line);

// `reply` with "restart": true: the worker's CUDA context faulted (a sticky error: the driver's
// documentation says only a new process recovers), so it exits and the parent starts a new one.
std::string with_restart_request(const std::string& reply);

class WorkerEvaluator final : public Evaluator {
public:
  WorkerEvaluator(Evaluator& local, std::vector<std::string> worker_argv,
                  std::chrono::milliseconds timeout);

  std::string family() const override { return local_.family(); }
  TimeSource source() const override { return local_.source(); }
  space::SearchSpace space(const Problem& problem) override { return local_.space(problem); }
  std::optional<double> predict_us(const Problem& p, const space::KernelVariant& v) override {
    return local_.predict_us(p, v);
  }
  VariantOutcome evaluate(const Problem& problem, const space::KernelVariant& variant) override;
  std::vector<double> remeasure(const Problem& problem,
                                const space::KernelVariant& variant) override;
  int restarts() const { return worker_.restarts(); }

private:
  backend::WorkerReply ask(const std::string& op, const Problem& problem,
                           const space::KernelVariant& variant);

  Evaluator& local_;
  backend::WorkerProcess worker_;
  std::chrono::milliseconds timeout_;
};

} // namespace lutgemm::search
