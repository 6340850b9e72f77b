// `lutgemm predict`: the performance model for one problem on a built-in target: the DRAM floor,
// the cuBLAS fp16 prediction, the baselines, and a LUT-GEMM design (the paper's by default).
#include "cli/calibrated_target.hpp"
#include "cli/cli_common.hpp"
#include "cli/command_registry.hpp"
#include "cli/target_spec_option.hpp"
#include "common/error.hpp"
#include "kernels/lut_params.hpp"
#include "kernels/lut_registers.hpp"
#include "model/perf_model.hpp"
#include "model/variant_workload.hpp"
#include "model/workloads.hpp"
#include "problem/problem.hpp"
#include "targets/gpu_spec.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <iostream>
#include <vector>

namespace {
using namespace lutgemm;

nlohmann::json to_json(const model::KernelWorkload& w, const model::Prediction& p) {
  nlohmann::json j{{"kernel", w.name},
                   {"dram_bytes", w.dram_bytes},
                   {"launchable", p.launchable},
                   {"dram_floor_us", p.dram_floor_us}};
  if (!p.launchable) {
    j["not_launchable_reason"] = p.not_launchable_reason;
    return j;
  }
  j.update({{"dram_us", p.dram_us},
            {"smem_us", p.smem_us},
            {"alu_us", p.alu_us},
            {"atomic_us", p.atomic_us},
            {"launch_us", p.launch_us},
            {"total_us", p.total_us},
            {"bound", model::to_string(p.bound)},
            {"blocks_per_sm", p.blocks_per_sm},
            {"occupancy", p.occupancy},
            {"occupancy_limiter", p.occupancy_limiter},
            {"waves", p.waves},
            {"grid_blocks", w.grid_blocks},
            {"threads_per_block", w.threads_per_block},
            {"smem_per_block", w.smem_per_block},
            {"bank_conflict_factor", w.bank_conflict_factor},
            {"launches", w.launches}});
  return j;
}

class PredictCommand final : public cli::Command {
public:
  void setup(CLI::App& app) override {
    app.add_option("--shape", shape_, "Weight shape MxK (M outputs, K inputs)")
        ->default_val("49152x12288");
    app.add_option("--batch", problem_.batch, "Activation columns (1..32)")->default_val(1);
    app.add_option("--bits", problem_.bits, "Bit-planes q (1..8)")->default_val(3);
    app.add_option("--group", group_, "Group size g along K, or 'row'")->default_val("128");
    app.add_flag("--no-offset", no_offset_, "BCQ without offsets (non-uniform quantization)");
    cli::add_target_options(app, target_,
                            "Built-in GPU (" + known_target_keys() +
                                "), or the name of a device calibrated in --db (lutgemm calibrate)")
        ->default_val("a100-80gb");
    app.add_option("--rows-per-block", design_.rows_per_block, "LUT-GEMM rows per block (th)")
        ->default_val(design_.rows_per_block);
    app.add_option("--k-tile", design_.k_tile, "LUT-GEMM K columns per block")
        ->default_val(design_.k_tile);
    app.add_option("--threads", design_.threads, "LUT-GEMM threads per block")
        ->default_val(design_.threads);
    app.add_option("--mu", design_.mu, "LUT-GEMM sub-vector length (tables of 2^mu)")
        ->default_val(design_.mu);
    app.add_option("--table-copies", design_.table_copies, "LUT-GEMM table replicas")
        ->default_val(design_.table_copies);
    app.add_flag("--half-tables", design_.half_tables, "LUT-GEMM half tables by symmetry");
    app.add_flag("--fp32-tables", fp32_tables_, "LUT-GEMM fp32 table entries");
    app.add_option("--db", db_,
                   "Results database to find a calibrated --target in (default $LUTGEMM_DB or "
                   "results/local/lutgemm.db)");
    app.add_option("--variant", variant_,
                   "A LUT-GEMM variant label (or its knob part, e.g. mu8_r4_..._b8_split8_reduce) "
                   "to model instead of the design options, as tune's model strategy does");
    app.add_option("--regs", regs_,
                   "Registers per thread of --variant (0: estimated from its knobs, as tune's "
                   "model strategy ranks)")
        ->default_val(0);
    app.add_flag("--json", json_, "Print JSON");
  }

  int run() override {
    parse_shape(shape_, problem_.m, problem_.k);
    problem_.group = parse_group(group_);
    problem_.has_offset = !no_offset_;
    validate(problem_);
    cli::load_calibrated_target(target_, db_.empty() ? cli::default_db_path() : db_);
    // '' means the default, as in tune, space and compile.
    const GpuSpec& target = find_target(target_.empty() ? std::string("a100-80gb") : target_);
    if (fp32_tables_)
      design_.table_entry_bytes = 4;

    struct Row {
      model::KernelWorkload workload;
      model::Prediction prediction;
    };
    std::vector<Row> rows;
    for (auto b :
         {model::Baseline::cublas_fp16, model::Baseline::cublas_fp32, model::Baseline::optq_fused,
          model::Baseline::optq_dequant_cublas, model::Baseline::awq_int4}) {
      auto w = model::baseline_workload(b, problem_, &target);
      rows.push_back({w, model::predict(w, target)});
    }
    model::KernelWorkload lut;
    if (variant_.empty()) {
      lut = model::lutgemm_workload(problem_, design_);
    } else {
      const LutParams params = lut_params_from_label(variant_);
      if (auto reason = check(problem_, params))
        throw UsageError(
            fmt::format("--variant {} cannot run {}: {}", variant_, to_string(problem_), *reason));
      lut = model::lut_variant_workload(problem_, params,
                                        regs_ > 0 ? regs_ : estimate_lut_registers(params));
    }
    rows.push_back({lut, model::predict(lut, target)});
    const double floor_us = model::dram_floor_us(model::packed_bcq_bytes(problem_), target);
    const auto& fp16 = rows.front().prediction;

    if (json_) {
      nlohmann::json j{{"source", "performance model (not a measurement)"},
                       {"problem", to_string(problem_)},
                       {"target", std::string(target.key)},
                       {"target_name", std::string(target.name)},
                       {"dram_gbps", target.dram_gbps},
                       {"achievable_dram_fraction", target.achievable_dram_fraction},
                       {"dram_latency_ns", target.dram_latency_ns},
                       {"calibration", std::string(target.calibration)},
                       {"packed_weight_bytes", model::packed_bcq_bytes(problem_)},
                       {"dram_floor_packed_us", floor_us},
                       {"kernels", nlohmann::json::array()}};
      for (const auto& r : rows)
        j["kernels"].push_back(to_json(r.workload, r.prediction));
      std::cout << j.dump(2) << "\n";
      return 0;
    }
    fmt::print("Performance model for {} on {} ({}, {}, {} SMs, {:.0f} GB/s datasheet)\n",
               to_string(problem_), target.name, target.key, target.arch, target.sm_count,
               target.dram_gbps);
    fmt::print("Source: model (tuner/model), not a measurement; assumes {:.0f}% of peak DRAM "
               "bandwidth is achievable.\n",
               target.achievable_dram_fraction * 100);
    if (!target.calibration.empty())
      fmt::print("Calibrated: {}\n", target.calibration);
    fmt::print("DRAM floor of the packed q{} weights ({:.1f} MB): {:.1f} us\n\n", problem_.bits,
               model::packed_bcq_bytes(problem_) / 1e6, floor_us);
    fmt::print("{:<44} {:>9} {:>9} {:>9} {:>8} {:>7} {:>6} {:>7}\n", "kernel", "MB", "floor us",
               "model us", "vs fp16", "bound", "occ", "waves");
    for (const auto& r : rows) {
      const auto& p = r.prediction;
      if (!p.launchable) {
        fmt::print("{:<44} {:>9.1f} {:>9.1f}  not launchable: {}\n", r.workload.name,
                   r.workload.dram_bytes / 1e6, p.dram_floor_us, p.not_launchable_reason);
        continue;
      }
      fmt::print("{:<44} {:>9.1f} {:>9.1f} {:>9.1f} {:>7.2f}x {:>7} {:>5.0f}% {:>7.2f}\n",
                 r.workload.name, r.workload.dram_bytes / 1e6, p.dram_floor_us, p.total_us,
                 fp16.total_us / p.total_us, model::to_string(p.bound), p.occupancy * 100, p.waves);
    }
    const auto& lp = rows.back().prediction;
    if (lp.launchable) {
      fmt::print("\nLUT-GEMM parts: dram {:.1f} us, smem {:.1f} us (bank-conflict factor {:.2f}), "
                 "alu {:.1f} us, atomics {:.1f} us, launches {:.1f} us; {} blocks/SM ({})\n",
                 lp.dram_us, lp.smem_us, rows.back().workload.bank_conflict_factor, lp.alu_us,
                 lp.atomic_us, lp.launch_us, lp.blocks_per_sm, lp.occupancy_limiter);
      const auto& lw = rows.back().workload;
      fmt::print("LUT-GEMM work: {:.3g} warp-wide table lookups, {:.3g} warp-wide build "
                 "loads/stores, {:.3g} ALU operations, {} B shared memory per block\n",
                 lw.smem_lookups / 32, lw.smem_build_ops / 32, lw.alu_ops, lw.smem_per_block);
    }
    return 0;
  }

private:
  Problem problem_;
  std::string shape_, group_, target_, db_, variant_;
  int regs_ = 0;
  bool no_offset_ = false, fp32_tables_ = false, json_ = false;
  model::LutgemmDesign design_ = model::paper_lutgemm_design();
};

const cli::Registration kRegistration{
    "predict", "Performance model: DRAM floor, cuBLAS fp16 and LUT-GEMM predictions for a problem",
    60, [] { return std::make_unique<PredictCommand>(); }};
} // namespace
