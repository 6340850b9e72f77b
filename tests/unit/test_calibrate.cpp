// `lutgemm calibrate` and the fit behind it (tuner/model/calibration.hpp): a hand-made database
// whose "measurements" are the model's own times under known constants (moved away from the
// built-in ones, with a little noise) must give those constants back within 5%; a calibrated
// target must change the model's predictions; bad input is one line, exit 2, and no write.
#include "kernels/lut_params.hpp"
#include "model/calibration.hpp"
#include "model/stored_workload.hpp"
#include "model/workloads.hpp"
#include "space/families.hpp"
#include "store/store.hpp"
#include "targets/calibrated_targets.hpp"

#include "support/cli_run.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace {
using namespace lutgemm;

constexpr const char* kGpu = "NVIDIA A100-SXM4-80GB";
// The constants the "measurements" come from: neither is the built-in value (0.88, 600 ns).
constexpr EfficiencyConstants kTruth{0.79, 780};

// stdout and stderr together: the checks look for a message, not for its stream.
lutgemm::test::CliResult run_cli(const std::string& args) {
  return lutgemm::test::run_lutgemm(args, "", true);
}

std::filesystem::path temp_path(const std::string& name) {
  return std::filesystem::path(LUTGEMM_TEST_BINARY_DIR) / "test_calibrate" / name;
}

void remove_db(const std::filesystem::path& path) {
  for (const char* suffix : {"", "-wal", "-shm"})
    std::filesystem::remove(path.string() + suffix);
}

std::string file_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Deterministic noise of +-2% (a measurement's typical spread), different per point.
double noise(int i) {
  return 1.0 + 0.02 * std::sin(1.7 * i + 0.3);
}

struct Row {
  std::string family, label, params;
  Problem problem;
};

// Variants across both regimes: cuBLAS on large layers (enough bytes in flight to reach the
// bandwidth: they pin the DRAM fraction) and LUT-GEMM variants from the small space on small
// layers (few blocks: latency-bound, they pin the latency).
std::vector<Row> measured_variants() {
  std::vector<Row> rows;
  for (auto [m, k] : {std::pair<std::int64_t, std::int64_t>{49152, 12288},
                      {28672, 8192},
                      {12288, 12288},
                      {16384, 16384}}) {
    const Problem p{.m = m, .k = k, .batch = 1, .bits = 3, .group = 128, .has_offset = true};
    rows.push_back({"cublas_fp16_acc32", "default", "{}", p});
  }
  for (auto [m, k] : {std::pair<std::int64_t, std::int64_t>{1024, 4096},
                      {2048, 2048},
                      {4096, 4096},
                      {12288, 12288}}) {
    const Problem p{.m = m, .k = k, .batch = 1, .bits = 3, .group = 128, .has_offset = true};
    const auto space = space::small_family_space(space::Family::lutgemm, p);
    const auto variants = space::enumerate(space, p).accepted;
    for (std::size_t i = 0; i < variants.size(); i += 3) {
      const LutParams params = space::lut_params(variants[i]);
      nlohmann::json j = nlohmann::json::object();
      for (const auto& [name, value] : to_values(params))
        j[name] = value;
      rows.push_back({"lutgemm", lut_label(p, params), j.dump(), p});
    }
  }
  return rows;
}

// The hand-made database: one GPU whose times are the model's under kTruth, an emu device, and a
// second GPU without results.
void write_db(const std::filesystem::path& path) {
  std::filesystem::create_directories(path.parent_path());
  remove_db(path);
  auto store = store::Store::open(path.string());
  const auto gpu = store.device_id({.key = std::string("cuda:") + kGpu + ":GPU-1",
                                    .name = kGpu,
                                    .backend = "cuda",
                                    .arch = "sm_80",
                                    .sm_count = 108,
                                    .dram_gbps = 2039.0,
                                    .l2_bytes = 40 << 20});
  store.device_id({.key = "model:a100-80gb",
                   .name = "emu (model: a100-80gb)",
                   .backend = "emu",
                   .arch = "sm_80",
                   .sm_count = 108,
                   .dram_gbps = 2039.0,
                   .l2_bytes = 40 << 20});
  store.device_id({.key = "cuda:NVIDIA H100 80GB HBM3:GPU-2",
                   .name = "NVIDIA H100 80GB HBM3",
                   .backend = "cuda",
                   .arch = "sm_90",
                   .sm_count = 132,
                   .dram_gbps = 3350.0,
                   .l2_bytes = 50 << 20});
  const auto run = store.begin_run({.command_line = "hand-made calibration test",
                                    .git_sha = "0",
                                    .toolkit_version = "13.0",
                                    .nvrtc_version = "13.0",
                                    .driver_version = "575",
                                    .backend = "cuda",
                                    .strategy = "exhaustive",
                                    .device_id = gpu,
                                    .shard = {}});
  const GpuSpec truth = with_efficiency(find_target("a100-80gb"), kTruth);
  int i = 0;
  for (const auto& r : measured_variants()) {
    const auto w = model::stored_variant_workload(r.family, r.label, r.params, r.problem);
    ASSERT_TRUE(w.has_value()) << r.label;
    const auto prediction = model::predict(*w, truth);
    if (!prediction.launchable)
      continue;
    store::MeasurementRecord m;
    m.run_id = run;
    m.device_id = gpu;
    m.problem_id = store.problem_id(r.problem);
    m.variant_id = store.variant_id(r.family, r.label, r.params);
    m.disposition = Disposition::ok;
    m.source = TimeSource::measured;
    m.median_us = prediction.total_us * noise(i++);
    m.samples = 20;
    store.record(m);
  }
  store.end_run(run, store::RunStatus::completed);
}

std::filesystem::path db_path() {
  static const auto path = [] {
    const auto p = temp_path("calibrate.db");
    write_db(p);
    return p;
  }();
  return path;
}

double cublas_fp16_us(const std::string& predict_args) {
  const auto r = run_cli("predict --shape 49152x12288 --json " + predict_args);
  EXPECT_EQ(r.exit_code, 0) << r.out;
  if (r.exit_code != 0)
    return 0;
  const auto j = nlohmann::json::parse(r.out);
  for (const auto& k : j["kernels"]) {
    if (k["kernel"] == "cuBLAS fp16 GEMV")
      return k["total_us"].get<double>();
  }
  return 0;
}

} // namespace

TEST(Calibrate, FitRecoversTheConstantsTheTimesCameFrom) {
  const GpuSpec& base = find_target("a100-80gb");
  const GpuSpec truth = with_efficiency(base, kTruth);
  std::vector<model::CalibrationPoint> points;
  int i = 0;
  for (const auto& r : measured_variants()) {
    auto w = *model::stored_variant_workload(r.family, r.label, r.params, r.problem);
    const double us = model::predict(w, truth).total_us * noise(i++);
    points.push_back({r.label, std::move(w), us});
  }
  const auto fit = model::fit_efficiency(points, base);
  EXPECT_TRUE(fit.dram_fraction.identified);
  EXPECT_TRUE(fit.dram_latency.identified);
  EXPECT_NEAR(fit.constants.achievable_dram_fraction, kTruth.achievable_dram_fraction,
              0.05 * kTruth.achievable_dram_fraction);
  EXPECT_NEAR(fit.constants.dram_latency_ns, kTruth.dram_latency_ns, 0.05 * kTruth.dram_latency_ns);
  EXPECT_LT(fit.mean_abs_error_after, fit.mean_abs_error_before);
  EXPECT_LT(fit.mean_abs_error_after, 0.03); // what is left is the +-2% noise
}

TEST(Calibrate, ConstantNoPointDependsOnKeepsItsPrior) {
  // Only large cuBLAS layers: bandwidth-bound, so the latency is not identified.
  const GpuSpec& base = find_target("a100-80gb");
  const GpuSpec truth = with_efficiency(base, kTruth);
  std::vector<model::CalibrationPoint> points;
  for (const auto& r : measured_variants()) {
    if (r.family != "cublas_fp16_acc32")
      continue;
    auto w = *model::stored_variant_workload(r.family, r.label, r.params, r.problem);
    const double us = model::predict(w, truth).total_us;
    points.push_back({r.label, std::move(w), us});
  }
  const auto fit = model::fit_efficiency(points, base);
  EXPECT_TRUE(fit.dram_fraction.identified);
  EXPECT_NEAR(fit.constants.achievable_dram_fraction, kTruth.achievable_dram_fraction, 0.01);
  EXPECT_FALSE(fit.dram_latency.identified);
  EXPECT_EQ(fit.constants.dram_latency_ns, base.dram_latency_ns);
}

TEST(Calibrate, CommandStoresTheFitAndPredictUsesIt) {
  const auto db = db_path().string();
  const double before = cublas_fp16_us("--target a100-80gb");
  // Without a calibration the device name is no target.
  const auto unknown = run_cli(fmt::format("predict --target \"{}\" --db {}", kGpu, db));
  EXPECT_EQ(unknown.exit_code, 2) << unknown.out;
  EXPECT_NE(unknown.out.find("no calibration"), std::string::npos) << unknown.out;

  const auto r = run_cli(fmt::format("calibrate --db {} --device A100-SXM4 --json", db));
  ASSERT_EQ(r.exit_code, 0) << r.out;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["device"], kGpu);
  EXPECT_EQ(j["constants"]["base"], "a100-80gb");
  EXPECT_NEAR(j["constants"]["achievable_dram_fraction"].get<double>(),
              kTruth.achievable_dram_fraction, 0.05 * kTruth.achievable_dram_fraction);
  EXPECT_NEAR(j["constants"]["dram_latency_ns"].get<double>(), kTruth.dram_latency_ns,
              0.05 * kTruth.dram_latency_ns);
  EXPECT_GT(j["calibration_id"].get<int>(), 0);

  // predict for the device picks the calibration up (and says so); the model's time changes.
  const double after = cublas_fp16_us(fmt::format("--target \"{}\" --db {}", kGpu, db));
  EXPECT_GT(after, before * 1.05); // 0.79 of peak instead of 0.88: slower
  const auto text = run_cli(fmt::format("predict --target \"{}\" --db {}", kGpu, db));
  EXPECT_EQ(text.exit_code, 0) << text.out;
  EXPECT_NE(text.out.find("Calibrated: calibration"), std::string::npos) << text.out;

  // report --target with the device's name models with the calibration too, and its notes say so.
  const auto plain = run_cli(fmt::format("report --table 1 --db {} --target a100-80gb", db));
  const auto calibrated =
      run_cli(fmt::format("report --table 1 --db {} --target \"{}\"", db, kGpu));
  ASSERT_EQ(plain.exit_code, 0) << plain.out;
  ASSERT_EQ(calibrated.exit_code, 0) << calibrated.out;
  EXPECT_EQ(plain.out.find("(calibration"), std::string::npos) << plain.out;
  EXPECT_NE(calibrated.out.find("(calibration"), std::string::npos) << calibrated.out;
  // The cuBLAS fp16 row's model column moves (its measured column is the same row of the db).
  const auto row = [](const std::string& out) {
    const auto at = out.find("| cuBLAS FP16 |");
    return at == std::string::npos ? std::string() : out.substr(at, out.find('\n', at) - at);
  };
  ASSERT_FALSE(row(plain.out).empty()) << plain.out;
  EXPECT_NE(row(plain.out), row(calibrated.out));
}

TEST(Calibrate, BadInputIsOneLineExit2AndNoWrite) {
  const auto db = db_path();
  const std::string bytes = file_bytes(db);
  struct Case {
    std::string args, says;
  };
  const std::vector<Case> cases = {
      {"--device nosuchgpu", "no device 'nosuchgpu'"},
      {"--device emu", "emu device"},
      {"--device H100", "no measured ok results"},
      {"--device A100-SXM4 --target no-such-target", "unknown target"},
  };
  for (const auto& c : cases) {
    const auto r = run_cli(fmt::format("calibrate --db {} {}", db.string(), c.args));
    EXPECT_EQ(r.exit_code, 2) << c.args << ": " << r.out;
    EXPECT_NE(r.out.find(c.says), std::string::npos) << c.args << ": " << r.out;
    EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1) << r.out;
  }
  EXPECT_EQ(file_bytes(db), bytes);

  const auto missing = temp_path("missing.db");
  remove_db(missing);
  auto r = run_cli(fmt::format("calibrate --db {} --device A100", missing.string()));
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_FALSE(std::filesystem::exists(missing));

  const auto other = temp_path("other.txt");
  std::ofstream(other) << "not a database\n";
  r = run_cli(fmt::format("calibrate --db {} --device A100", other.string()));
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_EQ(file_bytes(other), "not a database\n");
}

// calibrate models a stored cuBLAS row with the kernel cuBLAS runs on the measured device's
// architecture (an H100 runs its tensor-core GEMM at batch 1, an A100 a GEMV), not the sm_80 one.
TEST(Calibrate, StoredCublasRowsAreModelledForTheMeasuredArchitecture) {
  const Problem problem{.m = 8192, .k = 8192, .batch = 1, .bits = 4, .group = 128};
  const GpuSpec& h100 = find_target("h100-sxm");
  const auto on_h100 = model::stored_variant_workload("cublas_fp16_acc32", "cublas_fp16_acc32",
                                                      "{}", problem, 0, &h100);
  ASSERT_TRUE(on_h100.has_value());
  const auto expected = model::baseline_workload(model::Baseline::cublas_fp16, problem, &h100);
  EXPECT_EQ(on_h100->name, expected.name);
  EXPECT_EQ(on_h100->tensor_flops, expected.tensor_flops);
  const auto sm80 =
      model::stored_variant_workload("cublas_fp16_acc32", "cublas_fp16_acc32", "{}", problem);
  ASSERT_TRUE(sm80.has_value());
  EXPECT_NE(on_h100->name + std::to_string(on_h100->tensor_flops),
            sm80->name + std::to_string(sm80->tensor_flops))
      << "the architecture made no difference: the test no longer tells the two apart";
}
