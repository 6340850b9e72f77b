#include "report/model_check.hpp"

#include "common/embedded_sources.hpp"
#include "common/error.hpp"
#include "model/perf_model.hpp"
#include "model/workloads.hpp"
#include "problem/problem.hpp"
#include "report/model_layers.hpp"
#include "targets/gpu_spec.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>

namespace lutgemm::report {
namespace {

constexpr const char* kPointsFile = "results/calibration/published_points.csv";
constexpr const char* kHeldOutFile = "results/calibration/held_out_points.csv";
constexpr const char* kPaperTarget = "a100-80gb"; // every paper table: A100-80GB

// `checked`: false for tensor-parallel shards of the end-to-end tables, whose K need not be a
// multiple of the group (the sum is a bound; `lutgemm report` does the same).
Problem make_problem(std::int64_t m, std::int64_t k, int batch, int bits, int group,
                     bool checked = true) {
  Problem p;
  p.m = m;
  p.k = k;
  p.batch = batch;
  p.bits = bits;
  p.group = group;
  if (checked)
    validate(p);
  return p;
}

model::KernelWorkload workload(const std::string& kernel, const Problem& p, const GpuSpec& t) {
  if (kernel == "lutgemm")
    return model::lutgemm_workload(p, model::paper_lutgemm_design());
  return model::baseline_workload(model::baseline_from_string(kernel), p, &t);
}

// The model's time for the comparison. Published benchmarks repeat a call on the same weights:
// when the weights fit in L2 the published time is warm, so the comparison uses the model's warm
// figure (and says so); when they do not, warm and cold are the same. Tuning uses the cold one.
struct Timed {
  double us = 0;
  std::string l2;
};
// `cold`: the published time is cold whatever the size (Nsight Compute flushes the caches before
// every kernel it times, by default).
Timed time_of(const model::KernelWorkload& w, const GpuSpec& t, bool cold = false) {
  const auto prediction = model::predict(w, t);
  if (cold)
    return {prediction.total_us, "cold"};
  return {prediction.warm_total_us, prediction.fits_l2 ? "warm" : "cold"};
}
Timed model_time(const std::string& kernel, const Problem& p, const GpuSpec& t, bool cold = false) {
  return time_of(workload(kernel, p, t), t, cold);
}

// The model's time to stream a weight-only kernel's packed weights and activations at the target's
// achievable bandwidth: no such kernel can be faster.
double stream_us(const Problem& p, const GpuSpec& t) {
  const double bytes = model::packed_bcq_bytes(p) + static_cast<double>(p.k) * p.batch * 2;
  return model::dram_floor_us(bytes, t) / t.achievable_dram_fraction;
}

// TensorRT-LLM's int4 weight-only GEMV (the BitBLAS figure's comparison): unlike llm-awq's kernel
// it dequantizes with lop3 into half2 pairs and accumulates with half2 FMAs, and serves every
// activation column in one pass over the weights. Per pair of weights: one lop3, one half2
// zero-and-scale FMA, then one half2 FMA per column.
model::KernelWorkload trtllm_int4_gemv(const Problem& p) {
  auto w = model::baseline_workload(model::Baseline::awq_int4, p);
  const double mk = static_cast<double>(p.m) * static_cast<double>(p.k);
  w.name = "TensorRT-LLM-style int4 GEMV (half2)";
  w.dram_bytes = w.weight_bytes + static_cast<double>(p.k) * p.batch * 2 +
                 static_cast<double>(p.m) * p.batch * 2;
  w.alu_ops = mk * (2 + p.batch) / 2;
  w.grid_blocks = (p.m + 3) / 4;
  return w;
}

double relative_error(double model, double published) {
  return model / published - 1.0;
}

void add_table1(ModelCheck& check) {
  const CsvTable t = paper_table(kPaperTable1);
  const GpuSpec& target = find_target(kPaperTarget);
  for (std::size_t i = 0; i < t.rows.size(); ++i) {
    const std::string kernel = t.cell(i, "kernel");
    const std::string weight = t.cell(i, "weight");
    std::string model_kernel, family;
    int bits = 16;
    if (kernel == "cuBLAS") {
      model_kernel = weight == "FP32"   ? "cublas_fp32"
                     : weight == "FP16" ? "cublas_fp16"
                                        : "cublas_int8";
      family = "cuBLAS " + std::string(weight == "FP32"   ? "fp32"
                                       : weight == "FP16" ? "fp16"
                                                          : "int8");
    } else {
      bits = weight == "INT8" ? 8 : weight == "INT4" ? 4 : 3;
      model_kernel = kernel == "LUT-GEMM" ? "lutgemm"
                     : kernel == "OPTQ"   ? "optq_fused"
                                          : "awq_int4";
      family = kernel;
    }
    const Problem p = make_problem(static_cast<std::int64_t>(t.number(i, "m")),
                                   static_cast<std::int64_t>(t.number(i, "k")),
                                   static_cast<int>(t.number(i, "batch")), std::min(bits, 8),
                                   static_cast<int>(t.number(i, "group")));
    const Timed m = model_time(model_kernel, p, target);
    CheckPoint c;
    c.source = fmt::format("paper Table 1 row {}", i + 1);
    c.family = family;
    c.target = std::string(target.key);
    c.problem = to_string(p);
    c.kernel = model_kernel;
    c.kind = CheckKind::latency;
    c.l2 = m.l2;
    c.published = t.number(i, "latency_ms") * 1e3;
    c.model = m.us;
    c.error = relative_error(c.model, c.published);
    c.note = fmt::format("{} {} weights", kernel, weight);
    check.points.push_back(c);
  }
}

void add_table2(ModelCheck& check) {
  const CsvTable t = paper_table(kPaperTable2);
  const GpuSpec& target = find_target(kPaperTarget);
  for (std::size_t i = 0; i < t.rows.size(); ++i) {
    const std::string kernel = t.cell(i, "kernel");
    const int gpus = static_cast<int>(t.number(i, "gpus"));
    if (kernel != "LUT-GEMM" || gpus != 1) {
      check.skipped.push_back(fmt::format(
          "paper Table 2 row {} ({} on {} GPU{}): {}", i + 1, kernel, gpus, gpus > 1 ? "s" : "",
          gpus > 1 ? "multi-GPU communication is not modelled" : "the 1.00x reference itself"));
      continue;
    }
    const int bits = static_cast<int>(t.number(i, "bits"));
    const Problem p = make_problem(
        static_cast<std::int64_t>(t.number(i, "m")), static_cast<std::int64_t>(t.number(i, "k")),
        static_cast<int>(t.number(i, "batch")), bits, parse_group(t.cell(i, "group")));
    const Timed lut = model_time("lutgemm", p, target);
    const Timed fp16 = model_time("cublas_fp16", p, target);
    CheckPoint c;
    c.source = fmt::format("paper Table 2 row {}", i + 1);
    c.family = "LUT-GEMM speed-up";
    c.target = std::string(target.key);
    c.problem = to_string(p);
    c.kernel = "lutgemm";
    c.kind = CheckKind::speedup;
    c.l2 = lut.l2;
    c.published = t.number(i, "speedup");
    c.model = fp16.us / lut.us;
    c.error = relative_error(c.model, c.published);
    c.note = "cuBLAS fp16 time / LUT-GEMM time";
    check.points.push_back(c);
  }
}

// End-to-end token times include attention, norms and communication: the model's sum over the
// linear layers must not exceed them (an upper bound, not a prediction).
void add_end_to_end(ModelCheck& check, const char* file) {
  const CsvTable t = paper_table(file);
  const GpuSpec& target = find_target(kPaperTarget);
  for (std::size_t i = 0; i < t.rows.size(); ++i) {
    if (t.cell(i, "status") != "ok")
      continue;
    const std::string model_key = t.cell(i, "model");
    const std::string method = t.cell(i, "method");
    const int bits = std::min(static_cast<int>(t.number(i, "bits")), 8);
    const int gpus = static_cast<int>(t.number(i, "gpus"));
    const std::string group_text = t.cell(i, "group");
    const int group = group_text.empty() ? 128 : parse_group(group_text);
    const std::string kernel = method == "fp16"   ? "cublas_fp16"
                               : method == "optq" ? "optq_fused"
                                                  : "lutgemm";
    const ModelLayers& layers = model_layers(model_key);
    double sum_us = 0;
    for (const auto& layer : layers.layers) {
      const ModelLayer part = shard(layer, gpus);
      sum_us += model_time(kernel, make_problem(part.m, part.k, 1, bits, group, false), target).us *
                layers.blocks;
    }
    CheckPoint c;
    c.source = fmt::format("paper {} row {}", file, i + 1);
    c.family = "end-to-end bound";
    c.target = std::string(target.key);
    c.problem = fmt::format("{} {} q{} g{} on {} GPU{}", model_key, method, bits,
                            group_text.empty() ? "128" : group_text, gpus, gpus > 1 ? "s" : "");
    c.kernel = kernel;
    c.kind = CheckKind::bound;
    c.l2 = "cold";
    c.published = t.number(i, "latency_ms") * 1e3;
    c.model = sum_us;
    c.error = std::max(0.0, relative_error(c.model, c.published));
    c.note = "bound: sum of the linear layers' model times <= the published token time";
    check.points.push_back(c);
  }
}

void add_published(ModelCheck& check, const CsvTable& t) {
  for (std::size_t i = 0; i < t.rows.size(); ++i) {
    const std::string where = fmt::format("{} row {}", t.name, i + 1);
    const GpuSpec& target = find_target(t.cell(i, "target"));
    std::int64_t m = 0, k = 0;
    parse_shape(t.cell(i, "shape_MxK"), m, k);
    const int bits = static_cast<int>(t.number(i, "bits"));
    const Problem p = make_problem(m, k, static_cast<int>(t.number(i, "batch")), bits,
                                   parse_group(t.cell(i, "group")));
    const std::string kind = t.cell(i, "kind");
    const std::string kernel = t.cell(i, "kernel");
    const std::string note = t.cell(i, "note");
    // Timed with Nsight Compute: caches flushed before the kernel (cold L2) whatever its size.
    const bool ncu = note.find("ncu") != std::string::npos ||
                     t.cell(i, "source").find("ncu") != std::string::npos;
    CheckPoint c;
    c.source = where + " (" + t.cell(i, "source") + ")";
    c.target = std::string(target.key);
    c.problem = to_string(p);
    c.published = t.number(i, "published");
    if (kind == "latency" && kernel.starts_with("cuBLAS fp16")) {
      const Timed fp16 = model_time("cublas_fp16", p, target, ncu);
      c.family = "cuBLAS fp16";
      c.kernel = "cublas_fp16";
      c.kind = CheckKind::latency;
      c.l2 = fp16.l2;
      c.model = fp16.us;
      c.error = relative_error(c.model, c.published);
      c.note = note;
    } else if (kind == "speedup" && bits == 4 &&
               (note.find("AWQ") != std::string::npos ||
                note.find("TRT-LLM GEMV") != std::string::npos)) {
      // AWQ's int4 GEMV is the model's awq_int4 baseline; TensorRT-LLM's is the half2 variant
      // above. Both fused CUDA-core dequantize + GEMV kernels: compared directly.
      const bool is_awq = note.find("AWQ") != std::string::npos;
      const Timed int4 =
          is_awq ? model_time("awq_int4", p, target) : time_of(trtllm_int4_gemv(p), target);
      const Timed fp16 = model_time("cublas_fp16", p, target);
      c.family = is_awq ? "AWQ int4 speed-up" : "int4 GEMV speed-up (TRT-LLM)";
      c.kernel = is_awq ? "awq_int4" : "trtllm_int4 (model-check only)";
      c.kind = CheckKind::speedup;
      c.l2 = int4.l2;
      c.model = fp16.us / int4.us;
      c.error = relative_error(c.model, c.published);
      c.note = note;
    } else if (kind == "latency" && kernel.find("weight-only") != std::string::npos) {
      // Another project's quantized kernel: evidence of what the memory system delivers. The
      // model's time to stream the same packed weights at its achievable bandwidth must not
      // exceed the published time.
      c.family = kernel.find("CUDA-core") != std::string::npos ? "CUDA-core kernel bound"
                                                               : "tensor-core kernel bound";
      c.kernel = "weight stream";
      c.kind = CheckKind::bound;
      c.l2 = "cold";
      c.model = stream_us(p, target);
      c.error = std::max(0.0, relative_error(c.model, c.published));
      c.note = "bound: model streaming time of the packed weights <= published (" + note + ")";
    } else if (kind == "speedup" && kernel.find("weight-only") != std::string::npos) {
      // Another project's quantized kernel against cuBLAS fp16: it cannot beat streaming its
      // packed weights, so its speed-up is at most the model's cuBLAS fp16 time over that
      // streaming time. A published speed-up above it says the model's cuBLAS is too fast.
      const Timed fp16 = model_time("cublas_fp16", p, target, ncu);
      c.family = "weight-only speed-up bound";
      c.kernel = "cublas_fp16 / weight stream";
      c.kind = CheckKind::bound;
      c.l2 = fp16.l2;
      c.model = fp16.us / stream_us(p, target);
      c.error = std::max(0.0, relative_error(c.published, c.model));
      c.note =
          "bound: published speed-up <= model cuBLAS fp16 / model streaming time (" + note + ")";
    } else {
      check.skipped.push_back(where + ": no comparable model kernel (" + kernel + ")");
      continue;
    }
    check.points.push_back(c);
  }
}

// Least-squares line time = fixed + slope * bits.
void fit_line(const std::vector<std::pair<double, double>>& xy, double& slope, double& fixed) {
  double mx = 0, my = 0;
  for (auto [x, y] : xy) {
    mx += x;
    my += y;
  }
  mx /= static_cast<double>(xy.size());
  my /= static_cast<double>(xy.size());
  double sxx = 0, sxy = 0;
  for (auto [x, y] : xy) {
    sxx += (x - mx) * (x - mx);
    sxy += (x - mx) * (y - my);
  }
  slope = sxx > 0 ? sxy / sxx : 0;
  fixed = my - slope * mx;
}

void summarise(ModelCheck& check) {
  std::map<std::string, FamilySummary> families;
  std::vector<std::string> order;
  std::vector<std::pair<double, double>> published_line, model_line;
  for (const auto& c : check.points) {
    auto [it, inserted] = families.try_emplace(c.family);
    if (inserted)
      order.push_back(c.family);
    FamilySummary& f = it->second;
    f.family = c.family;
    ++f.points;
    f.mean_abs_error += std::abs(c.error);
    f.worst_abs_error = std::max(f.worst_abs_error, std::abs(c.error));
    if (std::abs(c.error) > kPointThreshold) {
      check.failures.push_back(fmt::format("{} ({} {}): error {:+.1f}% exceeds {:.0f}%", c.source,
                                           c.family, c.problem, c.error * 100,
                                           kPointThreshold * 100));
    }
    if (c.source.starts_with("paper Table 1") && c.kernel == "lutgemm") {
      const double bits = std::stod(c.problem.substr(c.problem.find(" q") + 2));
      published_line.emplace_back(bits, c.published);
      model_line.emplace_back(bits, c.model);
    }
  }
  for (const auto& name : order) {
    FamilySummary f = families[name];
    f.mean_abs_error /= f.points;
    if (f.points >= kFamilyMinPoints && f.mean_abs_error > kFamilyMeanThreshold) {
      check.failures.push_back(fmt::format("family {}: mean error {:.1f}% exceeds {:.0f}%", name,
                                           f.mean_abs_error * 100, kFamilyMeanThreshold * 100));
    }
    check.families.push_back(f);
  }
  if (published_line.size() >= 2) {
    fit_line(published_line, check.published_slope_us_per_bit, check.published_fixed_us);
    fit_line(model_line, check.model_slope_us_per_bit, check.model_fixed_us);
    const double slope_error =
        relative_error(check.model_slope_us_per_bit, check.published_slope_us_per_bit);
    if (std::abs(slope_error) > kSlopeThreshold) {
      check.failures.push_back(fmt::format(
          "paper Table 1 LUT-GEMM per-bit slope: model {:.1f} us/bit vs {:.1f} ({:+.1f}%) "
          "exceeds {:.0f}%",
          check.model_slope_us_per_bit, check.published_slope_us_per_bit, slope_error * 100,
          kSlopeThreshold * 100));
    }
  }
}

} // namespace

CsvTable embedded_published_points() {
  return parse_csv(embedded::get(kPointsFile), "published_points.csv");
}

CsvTable embedded_held_out_points() {
  return parse_csv(embedded::get(kHeldOutFile), "held_out_points.csv");
}

ModelCheck run_held_out_check(const CsvTable& points) {
  ModelCheck check;
  add_published(check, points);
  summarise(check);
  return check;
}

ModelCheck run_model_check(const CsvTable& points) {
  ModelCheck check;
  add_table1(check);
  add_table2(check);
  for (const char* file : {kPaperTable3, kPaperTable4, kPaperTable5})
    add_end_to_end(check, file);
  add_published(check, points);
  summarise(check);
  return check;
}

} // namespace lutgemm::report
