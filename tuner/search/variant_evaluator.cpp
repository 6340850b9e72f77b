#include "search/variant_evaluator.hpp"

#include "common/error.hpp"
#include "common/outside_failure.hpp"
#include "emu/counter_names.hpp"
#include "jit/plan_compile.hpp"
#include "kernels/lut_registers.hpp"
#include "measure/timing_plan.hpp"
#include "model/observed_apply.hpp"
#include "model/variant_workload.hpp"
#include "model/workloads.hpp"
#include "search/emulated_counters.hpp"

#include <fmt/format.h>

#include <cstring>
#include <numeric>

namespace lutgemm::search {
namespace {

constexpr std::int64_t kRotationBudgetBytes = std::int64_t{4} << 30;
const char* const kWeightBuffers[] = {"bit_words", "alpha", "offset"};

double bytes_moved(const Problem& p) {
  return model::packed_bcq_bytes(p) + double(p.k) * p.batch * 2 + double(p.m) * p.batch * 2;
}

template <class T> void put(backend::Backend& b, const std::string& name, const std::vector<T>& v) {
  if (!v.empty())
    b.upload(name, v.data(), v.size() * sizeof(T));
}

} // namespace

VariantEvaluator::VariantEvaluator(std::shared_ptr<backend::Backend> backend,
                                   EvaluatorConfig config)
    : backend_(std::move(backend)), config_(std::move(config)) {
  if (config_.target == nullptr)
    throw RuntimeError("VariantEvaluator needs a target");
}

TimeSource VariantEvaluator::source() const {
  return backend_->kind() == backend::BackendKind::cuda ? TimeSource::measured
                                                        : TimeSource::modelled;
}

space::SearchSpace VariantEvaluator::space(const Problem& problem) {
  auto s = config_.small_space ? space::small_family_space(space::Family::lutgemm, problem)
                               : space::family_space(space::Family::lutgemm);
  space::apply_restrictions(s, config_.restrictions);
  return s;
}

std::optional<double> VariantEvaluator::predict_us(const Problem& problem,
                                                   const space::KernelVariant& v) {
  // Registers estimated from the knobs (ptxas has not run yet): the ranking then sees the
  // occupancy that compiled variants will have, not a flat 64 (kernels/lut_registers.hpp).
  const LutParams& params = v.lut();
  auto prediction =
      model::predict(model::lut_variant_workload(problem, params, estimate_lut_registers(params)),
                     *config_.target);
  if (!prediction.launchable)
    return std::nullopt;
  return prediction.total_us;
}

Problem VariantEvaluator::proxy_problem(const Problem& problem, const LutParams& p) {
  Problem proxy = problem;
  const std::int64_t rows_per_block = std::int64_t(p.threads) * p.rows_per_thread;
  // One full block and the real M tail (M mod the block rows), so a 4097-row problem's 1-row tail
  // is verified; a problem without a tail gets a 20-row partial block as well (more coverage).
  const std::int64_t tail = problem.m % rows_per_block;
  proxy.m = std::min<std::int64_t>(problem.m, rows_per_block + (tail != 0 ? tail : 20));
  const std::int64_t group = problem.group == kRowWise ? p.k_tile : problem.group;
  const std::int64_t unit = std::lcm<std::int64_t>(p.k_tile, group);
  const std::int64_t k = unit * 2 * std::min(p.split, 2);
  if (k < problem.k && (problem.group == kRowWise || k % problem.group == 0))
    proxy.k = k;
  return proxy;
}

LaunchPlan VariantEvaluator::plan_for(const Problem& shape, const LutParams& params) const {
  auto plan = make_launch_plan(shape, params);
  if (!config_.source_override.empty()) {
    const auto main = lut_kernel_spec(shape, params);
    for (auto& launch : plan.launches)
      if (launch.spec == main)
        launch.spec.source = config_.source_override;
  }
  return plan;
}

const VerificationData& VariantEvaluator::data_for(const Problem& shape) {
  const auto key = to_string(shape);
  auto it = data_.find(key);
  if (it != data_.end())
    return it->second;
  if (data_.size() >= 8)
    data_.clear(); // proxy shapes are few; real shapes are large: keep memory bounded
  return data_.emplace(key, make_verification_data(shape, config_.seed)).first->second;
}

void VariantEvaluator::upload(const VerificationData& data) {
  const auto key = to_string(data.problem);
  if (uploaded_ == key)
    return;
  auto& b = *backend_;
  b.release_all();
  put(b, "bit_words", data.weights.bit_words);
  put(b, "alpha", data.weights.alpha);
  put(b, "offset", data.weights.offset);
  put(b, "x", data.x);
  weight_copies_ = 1;
  if (b.kind() == backend::BackendKind::cuda) {
    // Cold weights: enough rotated copies that they add up to more than 2x L2.
    const std::int64_t bytes =
        static_cast<std::int64_t>(data.weights.bit_words.size() * 4 +
                                  (data.weights.alpha.size() + data.weights.offset.size()) * 2);
    auto plan = measure::plan_cold_l2(bytes, config_.l2_bytes, kRotationBudgetBytes);
    weight_copies_ = plan.flush ? 1 : plan.copies;
    for (int c = 1; c < weight_copies_; ++c) {
      put(b, fmt::format("bit_words#{}", c), data.weights.bit_words);
      put(b, fmt::format("alpha#{}", c), data.weights.alpha);
      put(b, fmt::format("offset#{}", c), data.weights.offset);
    }
  }
  uploaded_ = key;
}

VariantOutcome VariantEvaluator::evaluate(const Problem& problem,
                                          const space::KernelVariant& variant) {
  // A failure of one variant (module load, out of memory, an invalid launch configuration, an
  // NVRTC option the arch lacks) is that variant's launch_error: the sweep goes on, also in
  // process (--no-isolate), where an escaping exception would end the tune.
  try {
    return evaluate_unguarded(problem, variant);
  } catch (const std::exception& e) {
    VariantOutcome out;
    out.source = source();
    out.disposition = Disposition::launch_error;
    out.message = e.what();
    out.retryable = says_out_of_memory(out.message); // out of memory says nothing about it
    uploaded_.clear();                               // the device buffers are in an unknown state
    return out;
  }
}

VariantOutcome VariantEvaluator::evaluate_unguarded(const Problem& problem,
                                                    const space::KernelVariant& variant) {
  VariantOutcome out;
  out.source = source();
  const LutParams& params = variant.lut();
  const bool emu = backend_->kind() == backend::BackendKind::emu;
  const Problem shape = emu && !config_.verify_full ? proxy_problem(problem, params) : problem;
  if (!(shape == problem))
    out.proxy_shape = fmt::format("{}x{}", shape.m, shape.k);

  LaunchPlan plan;
  try {
    plan = plan_for(shape, params);
  } catch (const UsageError& e) {
    out.disposition = Disposition::skipped;
    out.message = e.what();
    return out;
  }
  auto prepared = backend_->prepare(plan);
  if (prepared.disposition != Disposition::ok) {
    out.disposition = prepared.disposition;
    out.message = prepared.log.empty() ? "compile failed" : prepared.log;
    out.retryable = prepared.retryable;
    return out;
  }
  auto usage = prepared.resources ? *prepared.resources : space::plan_resources(plan);
  if (emu && config_.resource_compiler) {
    // ptxas's report for the target arch of the plan's main kernel (the specs do not depend on
    // the shape, so the proxy's plan has the real kernels).
    try {
      const auto& launch = plan.launches[main_launch_index(plan)];
      auto kernel = config_.resource_compiler->compile(launch.spec, config_.target->arch_text());
      usage.registers = kernel->resources.registers;
      usage.static_smem = kernel->resources.static_smem_bytes;
      usage.dynamic_smem = launch.config.dynamic_smem_bytes;
      usage.threads_per_block =
          static_cast<int>(launch.config.block.x * launch.config.block.y * launch.config.block.z);
      usage.spill_stores = kernel->resources.spill_store_bytes;
      usage.spill_loads = kernel->resources.spill_load_bytes;
      usage.stack_bytes = kernel->resources.stack_frame_bytes;
    } catch (const CompileError& e) {
      out.disposition = Disposition::compile_error;
      out.message =
          fmt::format("NVRTC for {}: {}\n{}", config_.target->arch_text(), e.what(), e.log());
      return out;
    }
  }
  out.resources = usage;
  if (auto verdict = space::prefilter(usage, config_.limits)) {
    out.disposition = Disposition::resource_limit;
    out.message = fmt::format("pre-filter ({}): {}", verdict->rule, verdict->reason);
    return out;
  }

  const auto& data = data_for(shape);
  upload(data);
  backend_->allocate("y", static_cast<std::size_t>(shape.m * shape.batch * 2));
  auto ran = backend_->run(plan);
  if (ran.disposition != Disposition::ok) {
    out.disposition = ran.disposition;
    out.message = ran.message;
    out.retryable = ran.retryable;
    uploaded_.clear(); // a faulting kernel may have written anywhere in its buffers
    return out;
  }
  auto bytes = backend_->download("y");
  std::vector<std::uint16_t> y(bytes.size() / 2);
  std::memcpy(y.data(), bytes.data(), y.size() * 2);
  auto comparison = compare_output(y, data.reference, shape.k, params.accum != Accum::f32);
  out.max_error = comparison.max_abs_error;
  if (!comparison.ok) {
    out.disposition = Disposition::wrong_result;
    out.message = comparison.message;
    return out;
  }

  if (emu) {
    auto workload = model::lut_variant_workload(problem, params, usage.registers);
    if (ran.counters) {
      // Counted at the proxy shape, scaled to the real one (search/emulated_counters.hpp).
      model::apply_observed(workload, observed_from(*ran.counters, shape, params),
                            weight_slots(problem, params), double(problem.m) * problem.batch);
      out.counters = emu::counters_json(*ran.counters).dump();
    }
    auto prediction = model::predict(workload, *config_.target);
    auto predicted =
        prediction.launchable ? std::optional<double>(prediction.total_us) : std::nullopt;
    if (!predicted) {
      out.disposition = Disposition::resource_limit;
      out.message =
          fmt::format("verified, but the model says it cannot launch on {}", config_.target->key);
      return out;
    }
    measure::Summary s;
    s.median = s.min = s.max = s.mean = s.q1 = s.q3 = *predicted;
    out.time_us = s;
    out.gbps = bytes_moved(problem) / (*predicted * 1e-6) / 1e9;
    out.pct_dram_peak = 100.0 * *out.gbps / config_.target->dram_gbps;
    out.disposition = Disposition::ok;
    out.message =
        fmt::format("verified in the emulator{}; time modelled for {}{} (not measured)",
                    out.proxy_shape.empty() ? "" : " at proxy " + out.proxy_shape,
                    config_.target->key, ran.counters ? " with its emulated counters" : "");
    return out;
  }

  auto timed = backend_->time(plan, cold_request(problem));
  out.clocks = timed.clocks;
  if (timed.disposition != Disposition::ok || timed.samples_us.empty()) {
    out.disposition =
        timed.disposition == Disposition::ok ? Disposition::launch_error : timed.disposition;
    out.message = timed.message;
    return out;
  }
  out.time_us = measure::summarize(timed.samples_us);
  out.gbps = bytes_moved(problem) / (out.time_us->median * 1e-6) / 1e9;
  if (config_.dram_peak_gbps > 0)
    out.pct_dram_peak = 100.0 * *out.gbps / config_.dram_peak_gbps;
  out.disposition = Disposition::ok;
  out.message =
      fmt::format("verified at the real shape; {} samples, cold weights ({} copies), "
                  "stopped: {}",
                  timed.samples_us.size(), weight_copies_, measure::to_string(timed.stop_reason));
  return out;
}

backend::TimingRequest VariantEvaluator::cold_request(const Problem& problem) const {
  backend::TimingRequest request;
  request.stop = config_.stop;
  for (int c = 1; c < weight_copies_; ++c) {
    std::vector<std::string> set;
    for (const char* name : kWeightBuffers)
      if (name != std::string("offset") || problem.has_offset)
        set.push_back(fmt::format("{0}={0}#{1}", name, c));
    if (request.rotation.empty())
      request.rotation.push_back({}); // set 0: the originals
    request.rotation.push_back(set);
  }
  return request;
}

std::vector<double> VariantEvaluator::remeasure(const Problem& problem,
                                                const space::KernelVariant& variant) {
  if (backend_->kind() != backend::BackendKind::cuda)
    return {};
  const LutParams& params = variant.lut();
  auto plan = plan_for(problem, params);
  if (backend_->prepare(plan).disposition != Disposition::ok)
    return {};
  upload(data_for(problem));
  backend_->allocate("y", static_cast<std::size_t>(problem.m * problem.batch * 2));
  // The same cold rotation as the sweep: a leader re-measured with warm weights would look faster
  // than the rows it is compared with.
  auto request = cold_request(problem);
  request.stop.time_limit_s = std::min(request.stop.time_limit_s, 0.5);
  auto timed = backend_->time(plan, request);
  return timed.disposition == Disposition::ok ? timed.samples_us : std::vector<double>{};
}

} // namespace lutgemm::search
