#include "search/worker_evaluator.hpp"

#include "common/outside_failure.hpp"

#include <fmt/format.h>

namespace lutgemm::search {
namespace {

template <class T> nlohmann::json opt(const std::optional<T>& value) {
  return value ? nlohmann::json(*value) : nlohmann::json();
}
template <class T> std::optional<T> read_opt(const nlohmann::json& j, const char* key) {
  if (!j.contains(key) || j[key].is_null())
    return std::nullopt;
  return j[key].get<T>();
}

} // namespace

nlohmann::json problem_to_json(const Problem& p) {
  return {{"m", p.m},       {"k", p.k},         {"batch", p.batch},
          {"bits", p.bits}, {"group", p.group}, {"has_offset", p.has_offset}};
}

Problem problem_from_json(const nlohmann::json& j) {
  Problem p;
  p.m = j.at("m").get<std::int64_t>();
  p.k = j.at("k").get<std::int64_t>();
  p.batch = j.at("batch").get<int>();
  p.bits = j.at("bits").get<int>();
  p.group = j.at("group").get<int>();
  p.has_offset = j.at("has_offset").get<bool>();
  return p;
}

nlohmann::json to_json(const VariantOutcome& o) {
  nlohmann::json j{{"disposition", to_string(o.disposition)},
                   {"message", o.message},
                   {"source", to_string(o.source)},
                   {"gbps", opt(o.gbps)},
                   {"pct_dram_peak", opt(o.pct_dram_peak)},
                   {"max_error", opt(o.max_error)},
                   {"proxy_shape", o.proxy_shape},
                   {"clocks", o.clocks},
                   {"retryable", o.retryable},
                   {"counters", o.counters}};
  if (o.time_us) {
    const auto& t = *o.time_us;
    j["time_us"] = {{"samples", t.samples}, {"median", t.median},
                    {"q1", t.q1},           {"q3", t.q3},
                    {"iqr", t.iqr},         {"min", t.min},
                    {"max", t.max},         {"mean", t.mean},
                    {"stddev", t.stddev},   {"rel_stderr", t.rel_stderr}};
  }
  if (o.resources) {
    const auto& r = *o.resources;
    j["resources"] = {{"registers", r.registers},       {"static_smem", r.static_smem},
                      {"dynamic_smem", r.dynamic_smem}, {"threads", r.threads_per_block},
                      {"spill_stores", r.spill_stores}, {"spill_loads", r.spill_loads},
                      {"stack_bytes", r.stack_bytes}};
  }
  return j;
}

VariantOutcome outcome_from_json(const nlohmann::json& j) {
  VariantOutcome o;
  o.disposition = disposition_from_string(j.at("disposition").get<std::string>());
  o.message = j.value("message", "");
  o.source = time_source_from_string(j.at("source").get<std::string>());
  o.gbps = read_opt<double>(j, "gbps");
  o.pct_dram_peak = read_opt<double>(j, "pct_dram_peak");
  o.max_error = read_opt<double>(j, "max_error");
  o.proxy_shape = j.value("proxy_shape", "");
  o.clocks = j.value("clocks", "");
  o.retryable = j.value("retryable", false);
  o.counters = j.value("counters", "");
  if (j.contains("time_us")) {
    const auto& t = j["time_us"];
    measure::Summary s;
    s.samples = t.at("samples").get<int>();
    s.median = t.at("median").get<double>();
    s.q1 = t.at("q1").get<double>();
    s.q3 = t.at("q3").get<double>();
    s.iqr = t.at("iqr").get<double>();
    s.min = t.at("min").get<double>();
    s.max = t.at("max").get<double>();
    s.mean = t.at("mean").get<double>();
    s.stddev = t.at("stddev").get<double>();
    s.rel_stderr = t.at("rel_stderr").get<double>();
    o.time_us = s;
  }
  if (j.contains("resources")) {
    const auto& r = j["resources"];
    space::ResourceUsage u;
    u.registers = r.at("registers").get<int>();
    u.static_smem = r.at("static_smem").get<std::int64_t>();
    u.dynamic_smem = r.at("dynamic_smem").get<std::int64_t>();
    u.threads_per_block = r.at("threads").get<int>();
    u.spill_stores = r.at("spill_stores").get<std::int64_t>();
    u.spill_loads = r.at("spill_loads").get<std::int64_t>();
    u.stack_bytes = r.at("stack_bytes").get<std::int64_t>();
    o.resources = u;
  }
  return o;
}

std::string serve_worker_request(Evaluator& evaluator, const std::string& line) {
  try {
    auto request = nlohmann::json::parse(line);
    const auto op = request.at("op").get<std::string>();
    const auto problem = problem_from_json(request.at("problem"));
    // The variant crosses the pipe as its point; it is parsed here, once, as in the driver's plan.
    const auto variant = space::make_kernel_variant(
        evaluator.family(), space::Variant::from_label(request.at("variant").get<std::string>()),
        problem);
    if (op == "evaluate")
      return nlohmann::json{{"outcome", to_json(evaluator.evaluate(problem, variant))}}.dump();
    if (op == "remeasure")
      return nlohmann::json{{"samples", evaluator.remeasure(problem, variant)}}.dump();
    return nlohmann::json{{"error", fmt::format("unknown op '{}'", op)}}.dump();
  } catch (const std::exception& e) {
    return nlohmann::json{{"error", e.what()}}.dump();
  }
}

std::string with_restart_request(const std::string& reply) {
  auto j = nlohmann::json::parse(reply);
  j["restart"] = true;
  return j.dump();
}

WorkerEvaluator::WorkerEvaluator(Evaluator& local, std::vector<std::string> worker_argv,
                                 std::chrono::milliseconds timeout)
    : local_(local), worker_(std::move(worker_argv)), timeout_(timeout) {}

backend::WorkerReply WorkerEvaluator::ask(const std::string& op, const Problem& problem,
                                          const space::KernelVariant& variant) {
  nlohmann::json request{
      {"op", op}, {"problem", problem_to_json(problem)}, {"variant", variant.point.label()}};
  return worker_.request(request.dump(), timeout_);
}

VariantOutcome WorkerEvaluator::evaluate(const Problem& problem,
                                         const space::KernelVariant& variant) {
  auto reply = ask("evaluate", problem, variant);
  VariantOutcome outcome;
  outcome.source = source();
  if (reply.status == backend::WorkerReply::Status::timeout) {
    outcome.disposition = Disposition::timeout;
    outcome.message = "worker: " + reply.detail + " (killed and restarted)";
    return outcome;
  }
  if (reply.status == backend::WorkerReply::Status::crashed) {
    // A worker killed from outside (a user's kill, the OOM killer) says nothing about the variant:
    // a resume evaluates it again. Its own crash (SIGSEGV, SIGABRT, ...) is final.
    outcome.disposition = Disposition::launch_error;
    outcome.retryable = is_outside_signal(reply.signal);
    outcome.message = "worker: " + reply.detail + " (restarted)" +
                      (outcome.retryable ? "; retryable: says nothing about the variant" : "");
    return outcome;
  }
  try {
    auto j = nlohmann::json::parse(reply.line);
    if (j.value("restart", false))
      worker_.stop(); // its context faulted: the next variant gets a fresh process
    if (j.contains("outcome"))
      return outcome_from_json(j["outcome"]);
    outcome.message = "worker: " + j.value("error", std::string("malformed reply"));
  } catch (const std::exception& e) {
    outcome.message = fmt::format("worker: unreadable reply ({})", e.what());
  }
  outcome.disposition = Disposition::launch_error;
  return outcome;
}

std::vector<double> WorkerEvaluator::remeasure(const Problem& problem,
                                               const space::KernelVariant& variant) {
  auto reply = ask("remeasure", problem, variant);
  if (reply.status != backend::WorkerReply::Status::ok)
    return {};
  try {
    auto j = nlohmann::json::parse(reply.line);
    if (j.value("restart", false))
      worker_.stop();
    if (j.contains("samples"))
      return j["samples"].get<std::vector<double>>();
  } catch (const std::exception&) {
  }
  return {};
}

} // namespace lutgemm::search
