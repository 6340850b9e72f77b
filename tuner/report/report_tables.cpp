#include "report/report_tables.hpp"

#include "common/error.hpp"
#include "model/perf_model.hpp"
#include "model/workloads.hpp"
#include "report/model_layers.hpp"
#include "report/paper_tables.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cmath>

namespace lutgemm::report {
namespace {

constexpr std::int64_t kOptM = 49152; // Table 1 and 2 layer: (4m x m), m = 12288
constexpr std::int64_t kOptK = 12288;
constexpr const char* kNotMeasured = "not measured";

std::string device_text(const ReportContext& c) {
  return c.device.empty() ? std::string("this device (no device in the database)") : c.device;
}

std::string target_text(const GpuSpec& t) {
  return fmt::format("{} datasheet, {:.0f} GB/s", t.key, t.dram_gbps);
}

// The model's target as the notes name it, with the calibration when `lutgemm calibrate` fitted it.
std::string model_target_text(const GpuSpec& t) {
  return t.calibration.empty() ? std::string(t.key) : fmt::format("{} ({})", t.key, t.calibration);
}

Cell text(std::string s) {
  return {std::move(s), std::nullopt};
}
Cell ms(double us, int decimals = 4) {
  return {fmt::format("{:.{}f}", us / 1e3, decimals), us / 1e3};
}
Cell ratio(double r) {
  return {fmt::format("{:.2f}x", r), r};
}

Cell measured_ms(const store::ResultRow& row) {
  return {fmt::format("{:.4f} (±{:.1f}%)", row.median_us / 1e3, row.noise_pct),
          row.median_us / 1e3};
}

// Problem with the fields a request needs; bits must be valid even for unquantized baselines.
Problem problem(std::int64_t m, std::int64_t k, int bits, int group) {
  Problem p;
  p.m = m;
  p.k = k;
  p.batch = 1;
  p.bits = bits;
  p.group = group;
  return p;
}

model::KernelWorkload workload(std::string_view kernel, const Problem& p, const GpuSpec& t) {
  if (kernel == "lutgemm")
    return model::lutgemm_workload(p, model::paper_lutgemm_design());
  return model::baseline_workload(model::baseline_from_string(kernel), p, &t);
}

double model_us(std::string_view kernel, const Problem& p, const GpuSpec& t) {
  return model::predict(workload(kernel, p, t), t).total_us;
}

double floor_us(std::string_view kernel, const Problem& p, const GpuSpec& t) {
  return model::dram_floor_us(workload(kernel, p, t).dram_bytes, t);
}

// Model error of a prediction against a measurement, or a dash.
Cell model_error(const std::optional<store::ResultRow>& measured, double model) {
  if (!measured)
    return text("-");
  const double e = (model - measured->median_us) / measured->median_us * 100;
  return {fmt::format("{:+.0f}%", e), e};
}

std::size_t count_modelled(const ReportContext& c) {
  std::size_t n = 0;
  for (const auto& r : c.results)
    n += r.source == TimeSource::modelled;
  return n;
}

void common_notes(ReportTable& t, const ReportContext& c) {
  if (const auto n = count_modelled(c)) {
    t.notes.push_back(fmt::format(
        "the database holds {} modelled (emulator) results for {}; they are predictions, so they "
        "are not shown as measurements",
        n, device_text(c)));
  }
  if (c.device.empty())
    t.notes.push_back("no measured device: every measured cell reads \"not measured\"");
}

// ---- Table 1 ----------------------------------------------------------------------------------

ReportTable table1(const ReportContext& c) {
  const GpuSpec& target = *c.target;
  ReportTable t;
  t.id = "1";
  t.title = "Kernel latency, OPT-175B first FFN layer (M=49152, K=12288), batch 1, g=128";
  t.columns = {
      {"kernel", "Park et al. Table 1 row"},
      {"paper ms", "Park et al. Table 1, A100-80GB"},
      {"measured ms", fmt::format("measured on {} (median, ± noise)", device_text(c))},
      {"measured speed-up", "measured cuBLAS fp16 / measured kernel, same device"},
      {"DRAM floor ms", fmt::format("bytes / peak bandwidth ({})", target_text(target))},
      {"model ms",
       fmt::format("performance model for {} (paper's kernel design)", model_target_text(target))},
      {"model error", "(model - measured) / measured"},
      {"best variant", "label of the fastest measured variant"},
  };
  struct Row {
    const char* kernel;
    const char* weight;
    const char* ours;
    int bits;
  };
  const Row rows[] = {{"cuBLAS", "FP32", "cublas_fp32", 8}, {"cuBLAS", "FP16", "cublas_fp16", 8},
                      {"cuBLAS", "INT8", "cublas_int8", 8}, {"LUT-GEMM", "INT8", "lutgemm", 8},
                      {"OPTQ", "INT3", "optq_fused", 3},    {"AWQ", "INT4", "awq_int4", 4},
                      {"LUT-GEMM", "INT4", "lutgemm", 4},   {"LUT-GEMM", "INT3", "lutgemm", 3}};
  const CsvTable paper = paper_table(kPaperTable1);
  const auto fp16 = best_result(c.results, problem(kOptM, kOptK, 8, 128), "cublas_fp16");
  for (const Row& row : rows) {
    const Problem p = problem(kOptM, kOptK, row.bits, 128);
    std::optional<double> paper_ms;
    for (std::size_t i = 0; i < paper.rows.size(); ++i) {
      if (paper.cell(i, "kernel") == row.kernel && paper.cell(i, "weight") == row.weight)
        paper_ms = paper.number(i, "latency_ms");
    }
    const auto measured = best_result(c.results, p, row.ours);
    const double model = model_us(row.ours, p, target);
    t.rows.push_back({
        text(fmt::format("{} {}", row.kernel, row.weight)),
        paper_ms ? Cell{fmt::format("{:.4f}", *paper_ms), *paper_ms} : text("-"),
        measured ? measured_ms(*measured) : text(kNotMeasured),
        measured && fp16 ? ratio(fp16->median_us / measured->median_us) : text("-"),
        ms(floor_us(row.ours, p, target)),
        ms(model),
        model_error(measured, model),
        text(measured ? measured->variant_label : "-"),
    });
  }
  t.notes.push_back("the paper's cuBLAS INT8 row has int8 activations; ours times the same "
                    "unquantized layer with the int8 baseline where it exists");
  common_notes(t, c);
  return t;
}

// ---- Table 2 ----------------------------------------------------------------------------------

ReportTable table2(const ReportContext& c) {
  const GpuSpec& target = *c.target;
  ReportTable t;
  t.id = "2";
  t.title = "(4m x m)(m x 1), m = 12288, row-wise scales (g = K): speed-up over 1-GPU cuBLAS fp16";
  t.columns = {
      {"kernel-GPUs-q", "Park et al. Table 2 row"},
      {"paper speed-up", "Park et al. Table 2, A100"},
      {"paper energy mJ", "Park et al. Table 2, A100"},
      {"measured ms", fmt::format("measured on {} (median, ± noise), one GPU", device_text(c))},
      {"measured speed-up", "measured 1-GPU cuBLAS fp16 / measured row"},
      {"DRAM floor ms", fmt::format("bytes per GPU / peak bandwidth ({})", target_text(target))},
      {"model ms", fmt::format("performance model for {}, per GPU", model_target_text(target))},
      {"model speed-up", "model 1-GPU cuBLAS fp16 / model row"},
  };
  const CsvTable paper = paper_table(kPaperTable2);
  const Problem fp16_problem = problem(kOptM, kOptK, 8, kRowWise);
  const auto fp16 = best_result(c.results, fp16_problem, "cublas_fp16");
  const double fp16_model = model_us("cublas_fp16", fp16_problem, target);
  for (std::size_t i = 0; i < paper.rows.size(); ++i) {
    const bool cublas = paper.cell(i, "kernel") == "cuBLAS";
    const int gpus = static_cast<int>(paper.number(i, "gpus"));
    const int bits = cublas ? 8 : static_cast<int>(paper.number(i, "bits"));
    const std::string kernel = cublas ? "cublas_fp16" : "lutgemm";
    // Several GPUs: each computes M / gpus rows (column-parallel); communication is not modelled.
    const Problem p = problem(kOptM / gpus, kOptK, bits, kRowWise);
    const auto measured = gpus == 1 ? best_result(c.results, p, kernel) : std::nullopt;
    const double model = model_us(kernel, p, target);
    t.rows.push_back({
        text(fmt::format("{}, {} GPU{}, {}", paper.cell(i, "kernel"), gpus, gpus > 1 ? "s" : "",
                         cublas ? std::string("fp16") : fmt::format("q={}", bits))),
        Cell{paper.cell(i, "speedup") + "x", paper.number(i, "speedup")},
        Cell{paper.cell(i, "energy_mj"), paper.number(i, "energy_mj")},
        measured ? measured_ms(*measured)
                 : text(gpus > 1 ? "not measured (single-GPU harness)" : kNotMeasured),
        measured && fp16 ? ratio(fp16->median_us / measured->median_us) : text("-"),
        ms(floor_us(kernel, p, target)),
        ms(model),
        ratio(fp16_model / model),
    });
  }
  t.notes.push_back("energy is not measured by this tool (it needs power sampling); only the "
                    "paper's figures are shown");
  t.notes.push_back("multi-GPU rows: each GPU computes M / GPUs rows of the layer (tensor-parallel "
                    "column split); the model ignores communication and synchronisation");
  common_notes(t, c);
  return t;
}

// ---- End-to-end tables (3/7, 4, 5) ------------------------------------------------------------

struct EndToEndSum {
  double floor_us = 0, model_us = 0, measured_us = 0, weight_bytes = 0;
  int measured_layers = 0, layers = 0;
  double worst_noise = 0;
};

EndToEndSum kernel_sum(const ReportContext& c, const ModelLayers& model, const std::string& kernel,
                       int bits, int group, int gpus) {
  EndToEndSum s;
  for (const auto& layer : model.layers) {
    const ModelLayer part = shard(layer, gpus);
    const Problem p = problem(part.m, part.k, bits, group);
    const auto w = workload(kernel, p, *c.target);
    s.floor_us += model::dram_floor_us(w.dram_bytes, *c.target) * model.blocks;
    s.model_us += model::predict(w, *c.target).total_us * model.blocks;
    s.weight_bytes += w.dram_bytes * model.blocks;
    ++s.layers;
    if (const auto m = best_result(c.results, p, kernel)) {
      s.measured_us += m->median_us * model.blocks;
      s.worst_noise = std::max(s.worst_noise, m->noise_pct);
      ++s.measured_layers;
    }
  }
  return s;
}

ReportTable end_to_end(TableId id, const ReportContext& c) {
  const GpuSpec& target = *c.target;
  ReportTable t;
  t.id = std::string(to_string(id));
  const char* file = id == TableId::t3   ? kPaperTable3
                     : id == TableId::t4 ? kPaperTable4
                                         : kPaperTable5;
  t.title = id == TableId::t3   ? "LLaMA per-token latency (ms), batch 1, g = 128 (Tables 3 and 7)"
            : id == TableId::t4 ? "OPT-175B per-token latency (ms), batch 1, row-wise scales"
                                : "OPT-175B per-token latency (ms), 1 GPU, q = 2, by group size";
  t.columns = {
      {"model", "Park et al."},
      {"method", "Park et al."},
      {"GPUs", "Park et al. (tensor parallel)"},
      {"paper ms", fmt::format("Park et al. Table {}, A100-80GB, FasterTransformer end to end",
                               id == TableId::t3 ? "3/7" : std::string(to_string(id)))},
      {"kernel-sum measured ms",
       fmt::format("sum of measured GEMV medians on {} x blocks (estimate)", device_text(c))},
      {"kernel-sum DRAM floor ms",
       fmt::format("sum of layer bytes / peak ({})", target_text(target))},
      {"kernel-sum model ms",
       fmt::format("sum of model predictions for {}", model_target_text(target))},
      {"streamed GB per GPU",
       fmt::format("bytes of every linear layer per token vs {} memory", target.key)},
  };
  const CsvTable paper = paper_table(file);
  for (std::size_t i = 0; i < paper.rows.size(); ++i) {
    const std::string model_key = paper.cell(i, "model");
    const std::string method = paper.cell(i, "method");
    const int bits = static_cast<int>(paper.number(i, "bits"));
    const int gpus = static_cast<int>(paper.number(i, "gpus"));
    const std::string group_text = paper.cell(i, "group");
    const int group = group_text.empty() ? 128 : parse_group(group_text);
    const std::string status = paper.cell(i, "status");
    const std::string kernel = method == "fp16"   ? "cublas_fp16"
                               : method == "optq" ? "optq_fused"
                                                  : "lutgemm";
    const auto sum = kernel_sum(c, model_layers(model_key), kernel, std::min(bits, 8), group, gpus);
    const std::string method_text =
        method == "fp16"
            ? "FP16"
            : fmt::format("{} {}-bit{}", method == "optq" ? "OPTQ" : "LUT-GEMM", bits,
                          group_text.empty() || id == TableId::t3
                              ? ""
                              : (group_text == "row" ? " row-wise" : " g" + group_text));
    Cell paper_cell = status == "ok"
                          ? Cell{paper.cell(i, "latency_ms"), paper.number(i, "latency_ms")}
                      : status == "oom" ? text("OOM")
                                        : text("-");
    Cell measured =
        sum.measured_layers == sum.layers
            ? Cell{fmt::format("{:.2f} (±{:.1f}%)", sum.measured_us / 1e3, sum.worst_noise),
                   sum.measured_us / 1e3}
            : text(sum.measured_layers == 0
                       ? std::string(kNotMeasured)
                       : fmt::format("not measured ({} of {} layer shapes)",
                                     sum.layers - sum.measured_layers, sum.layers));
    const double gb = sum.weight_bytes / 1e9;
    const bool oom = sum.weight_bytes > static_cast<double>(target.dram_bytes);
    t.rows.push_back({
        text(model_key),
        text(method_text),
        Cell{std::to_string(gpus), static_cast<double>(gpus)},
        paper_cell,
        measured,
        ms(sum.floor_us, 2),
        ms(sum.model_us, 2),
        Cell{oom ? fmt::format("{:.1f} (> {:.0f}: OOM)", gb, target.dram_bytes / 1e9)
                 : fmt::format("{:.1f}", gb),
             gb},
    });
  }
  t.notes.push_back("kernel-sum estimate, not an engine measurement: the sum over the model's "
                    "linear layers (qkv fused, out/o, fc1/fc2 or gate/up/down) of one GEMV each, "
                    "times the number of blocks; attention, norms, embeddings, the KV cache and "
                    "communication are not included");
  t.notes.push_back("multi-GPU rows assume tensor-parallel shards of every layer: qkv, fc1, gate "
                    "and up split M across GPUs, out/o, fc2 and down split K; the time is one "
                    "GPU's shard");
  t.notes.push_back("a shard whose K is not a multiple of g cannot be tuned, so it reads \"not "
                    "measured\"; its model value uses whole groups only");
  t.notes.push_back("the OOM check counts only the linear layers' weights (fp16 or packed)");
  common_notes(t, c);
  return t;
}

std::string csv_escape(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos)
    return s;
  std::string out = "\"";
  for (char ch : s) {
    if (ch == '"')
      out += '"';
    out += ch;
  }
  return out + "\"";
}

} // namespace

std::string_view to_string(TableId id) {
  switch (id) {
  case TableId::t1:
    return "1";
  case TableId::t2:
    return "2";
  case TableId::t3:
    return "3";
  case TableId::t4:
    return "4";
  case TableId::t5:
    return "5";
  }
  return "?";
}

TableId table_id_from_string(std::string_view s) {
  if (s == "1")
    return TableId::t1;
  if (s == "2")
    return TableId::t2;
  if (s == "3" || s == "7" || s == "3/7")
    return TableId::t3;
  if (s == "4")
    return TableId::t4;
  if (s == "5")
    return TableId::t5;
  throw UsageError(fmt::format("unknown table '{}' (allowed: 1, 2, 3 (or 3/7, 7), 4, 5, all)", s));
}

std::vector<TableId> all_tables() {
  return {TableId::t1, TableId::t2, TableId::t3, TableId::t4, TableId::t5};
}

ReportTable build_table(TableId id, const ReportContext& context) {
  if (!context.target)
    throw RuntimeError("report: no target for floors and the model");
  switch (id) {
  case TableId::t1:
    return table1(context);
  case TableId::t2:
    return table2(context);
  default:
    return end_to_end(id, context);
  }
}

ReportTable build_results_table(const ReportContext& c) {
  const GpuSpec& target = *c.target;
  ReportTable t;
  t.id = "results";
  t.title = fmt::format("Every verified result on {}", device_text(c));
  t.columns = {
      {"kernel", "database"},
      {"m", "database"},
      {"k", "database"},
      {"batch", "database"},
      {"bits", "database"},
      {"group", "database (0 = row-wise)"},
      {"variant", "database"},
      {"source", "database: measured on the device, or modelled (emulator tune)"},
      {"median ms", "database"},
      {"noise %", "database"},
      {"DRAM floor ms", fmt::format("bytes / peak bandwidth ({})", target_text(target))},
      {"model ms",
       fmt::format("performance model for {} (paper's kernel design)", model_target_text(target))},
      {"floor / time", "DRAM floor / median: the fraction of peak bandwidth reached"},
      {"smem conflicts", "emulated (tune --counters): shared-load wavefronts per request, 1 = "
                         "conflict-free; - = not counted"},
      {"run", "database run id"},
  };
  for (const auto& r : c.results) {
    double floor = 0, model = 0;
    try {
      floor = floor_us(r.kernel, r.problem, target);
      model = model_us(r.kernel, r.problem, target);
    } catch (const UsageError&) {
      // A kernel the model does not know: leave its floor and model empty.
    }
    auto number = [](double v) { return Cell{fmt::format("{}", v), v}; };
    t.rows.push_back({
        text(r.kernel),
        number(static_cast<double>(r.problem.m)),
        number(static_cast<double>(r.problem.k)),
        number(r.problem.batch),
        number(r.problem.bits),
        number(r.problem.group),
        text(r.variant_label),
        text(to_string(r.source)),
        Cell{fmt::format("{:.4f}", r.median_us / 1e3), r.median_us / 1e3},
        Cell{fmt::format("{:.2f}", r.noise_pct), r.noise_pct},
        floor > 0 ? ms(floor) : text("-"),
        model > 0 ? ms(model) : text("-"),
        floor > 0 ? Cell{fmt::format("{:.2f}", floor / r.median_us), floor / r.median_us}
                  : text("-"),
        r.smem_load_conflict_factor > 0
            ? Cell{fmt::format("{:.2f}", r.smem_load_conflict_factor), r.smem_load_conflict_factor}
            : text("-"),
        number(static_cast<double>(r.run_id)),
    });
  }
  if (t.rows.empty())
    t.notes.push_back("no results in the database for this device");
  return t;
}

std::string_view to_string(Format format) {
  switch (format) {
  case Format::md:
    return "md";
  case Format::csv:
    return "csv";
  case Format::json:
    return "json";
  }
  return "?";
}

Format format_from_string(std::string_view s) {
  if (s == "md" || s == "markdown")
    return Format::md;
  if (s == "csv")
    return Format::csv;
  if (s == "json")
    return Format::json;
  throw UsageError(fmt::format("unknown format '{}' (allowed: md, csv, json)", s));
}

std::string render(const std::vector<ReportTable>& tables, Format format,
                   const ReportContext& context) {
  const GpuSpec& target = *context.target;
  std::string out;
  if (format == Format::json) {
    nlohmann::json j{{"device", context.device},
                     {"target", std::string(target.key)},
                     {"target_dram_gbps", target.dram_gbps},
                     {"tables", nlohmann::json::array()}};
    for (const auto& t : tables) {
      nlohmann::json table{{"id", t.id}, {"title", t.title}, {"notes", t.notes}};
      for (const auto& col : t.columns)
        table["columns"].push_back({{"name", col.name}, {"source", col.source}});
      table["rows"] = nlohmann::json::array();
      for (const auto& row : t.rows) {
        nlohmann::json r;
        for (std::size_t i = 0; i < row.size(); ++i) {
          r[t.columns[i].name] = {{"text", row[i].text}};
          if (row[i].value)
            r[t.columns[i].name]["value"] = *row[i].value;
        }
        table["rows"].push_back(r);
      }
      j["tables"].push_back(table);
    }
    return j.dump(2) + "\n";
  }
  for (const auto& t : tables) {
    if (format == Format::csv) {
      out += fmt::format("# Table {}: {}\n", t.id, t.title);
      for (const auto& col : t.columns)
        out += fmt::format("# column '{}': {}\n", col.name, col.source);
      for (const auto& note : t.notes)
        out += fmt::format("# note: {}\n", note);
      for (std::size_t i = 0; i < t.columns.size(); ++i)
        out += (i ? "," : "") + csv_escape(t.columns[i].name);
      out += "\n";
      for (const auto& row : t.rows) {
        for (std::size_t i = 0; i < row.size(); ++i)
          out += (i ? "," : "") + csv_escape(row[i].text);
        out += "\n";
      }
      out += "\n";
      continue;
    }
    out += fmt::format("### Table {}: {}\n\n|", t.id, t.title);
    for (const auto& col : t.columns)
      out += " " + col.name + " |";
    out += "\n|";
    for (std::size_t i = 0; i < t.columns.size(); ++i)
      out += i == 0 ? "---|" : "---:|";
    out += "\n";
    for (const auto& row : t.rows) {
      out += "|";
      for (const auto& cell : row)
        out += " " + cell.text + " |";
      out += "\n";
    }
    out += "\nSources:\n";
    for (const auto& col : t.columns)
      out += fmt::format("- {}: {}\n", col.name, col.source);
    for (const auto& note : t.notes)
      out += fmt::format("- note: {}\n", note);
    out += "\n";
  }
  return out;
}

} // namespace lutgemm::report
