#pragma once
// A small results database written through the real store (tuner/store), as a tune would write
// it: one GPU with two runs (an older and a newer one, with a sweep and a leader re-measurement),
// a failed variant, a cuBLAS baseline, an emulated time that must never be reported, and a
// model-only device. Shared by the report/export and the plotting scripts' tests.
#include "store/store.hpp"

#include <filesystem>
#include <string>

namespace lutgemm::handmade {

inline constexpr const char* kGpuName = "NVIDIA A100-SXM4-80GB";
inline constexpr const char* kModelName = "A100 80GB (model)";

// The paper's Table 1 layer, and a second (q4 row-wise) problem.
inline Problem table1_problem() {
  return Problem{.m = 49152, .k = 12288, .batch = 1, .bits = 3, .group = 128, .has_offset = true};
}
inline Problem second_problem() {
  return Problem{
      .m = 12288, .k = 12288, .batch = 1, .bits = 4, .group = kRowWise, .has_offset = true};
}

inline store::MeasurementRecord timed(std::int64_t run, std::int64_t device, std::int64_t problem,
                                      std::int64_t variant, double median_us, TimeSource source,
                                      const std::string& phase = "sweep") {
  store::MeasurementRecord r;
  r.run_id = run;
  r.device_id = device;
  r.problem_id = problem;
  r.variant_id = variant;
  r.phase = phase;
  r.disposition = Disposition::ok;
  r.source = source;
  r.median_us = median_us;
  r.iqr_us = median_us * 0.01;
  r.min_us = median_us * 0.98;
  r.noise_pct = 1.5;
  r.samples = 50;
  r.gbps = 1000.0;
  return r;
}

// Writes the database at `path` (replacing it). Latest measured times on the GPU:
//   Table 1 layer: lutgemm "lut-a" 250 us (remeasure of run 2), "lut-b" 320 us, cuBLAS fp16 700 us
//   second problem: lutgemm "lut-a" 90 us, cuBLAS fp16 160 us
// and on the model device: "lut-a" 200 us (modelled) on the Table 1 layer.
// With `sweep`, the GPU also has a 4096 x 4096 layer at q = 2, 3, 4 and g = 64, 128, row-wise (two
// LUT-GEMM variants each, times growing with q and shrinking with g) with cuBLAS fp16 and OPTQ
// baselines: enough for every plot of scripts/plots.py.
inline void write_handmade_db(const std::filesystem::path& path, bool sweep = false) {
  for (const auto& p : {path, std::filesystem::path(path.string() + "-wal"),
                        std::filesystem::path(path.string() + "-shm")})
    std::filesystem::remove(p);
  auto store = store::Store::open(path.string());
  const auto gpu = store.device_id({.key = "cuda:NVIDIA A100-SXM4-80GB:GPU-1234",
                                    .name = kGpuName,
                                    .backend = "cuda",
                                    .arch = "sm_80",
                                    .sm_count = 108,
                                    .dram_gbps = 2039.0,
                                    .l2_bytes = 40 << 20,
                                    .details_json = R"({"memory_bytes": 85899345920})"});
  const auto model = store.device_id({.key = "model:a100-80gb",
                                      .name = kModelName,
                                      .backend = "emu",
                                      .arch = "sm_80",
                                      .sm_count = 108,
                                      .dram_gbps = 2039.0,
                                      .l2_bytes = 40 << 20});
  const auto t1 = store.problem_id(table1_problem());
  const auto p2 = store.problem_id(second_problem());
  const auto lut_a = store.variant_id(
      "lutgemm", "lut-a", R"({"rows_per_block": 8, "k_tile": 256, "mu": 8, "half_tables": true})");
  const auto lut_b =
      store.variant_id("lutgemm", "lut-b", R"({"rows_per_block": 4, "k_tile": 128, "mu": 4})");
  const auto lut_bad = store.variant_id("lutgemm", "lut-bad", R"({"rows_per_block": 2})");
  const auto cublas = store.variant_id("cublas_fp16_acc32", "default", "{}");

  auto run = [&](std::int64_t device, const std::string& backend, const std::string& driver) {
    return store.begin_run({.command_line = "lutgemm tune (hand-made test database)",
                            .git_sha = "0123abcd",
                            .toolkit_version = "13.0",
                            .nvrtc_version = "13.0",
                            .driver_version = driver,
                            .backend = backend,
                            .strategy = "exhaustive",
                            .device_id = device,
                            .shard = ""});
  };
  // Run 1 (older): times that run 2 supersedes.
  const auto r1 = run(gpu, "cuda", "570.10");
  store.record(timed(r1, gpu, t1, lut_a, 300.0, TimeSource::measured));
  store.record(timed(r1, gpu, t1, cublas, 720.0, TimeSource::measured));
  store.end_run(r1, store::RunStatus::completed);
  // Run 2: a sweep and the leader's re-measurement, a wrong result, an emulated wall time.
  const auto r2 = run(gpu, "cuda", "575.51");
  store.record(timed(r2, gpu, t1, lut_a, 260.0, TimeSource::measured));
  store.record(timed(r2, gpu, t1, lut_a, 250.0, TimeSource::measured, "remeasure"));
  store.record(timed(r2, gpu, t1, lut_b, 320.0, TimeSource::measured));
  store.record(timed(r2, gpu, t1, cublas, 700.0, TimeSource::measured));
  store.record(timed(r2, gpu, p2, lut_a, 90.0, TimeSource::measured));
  store.record(timed(r2, gpu, p2, cublas, 160.0, TimeSource::measured));
  auto wrong = timed(r2, gpu, t1, lut_bad, 100.0, TimeSource::measured);
  wrong.disposition = Disposition::wrong_result;
  wrong.message = "max error 3.2 > tolerance";
  store.record(wrong);
  store.record(timed(r2, gpu, p2, lut_b, 5.0, TimeSource::emulated));
  if (sweep) {
    const auto optq = store.variant_id("optq_fused_gemv", "default", "{}");
    for (int bits : {2, 3, 4}) {
      for (int group : {64, 128, kRowWise}) {
        const auto p = store.problem_id(
            {.m = 4096, .k = 4096, .batch = 1, .bits = bits, .group = group, .has_offset = true});
        const double us = 14.0 + 4.0 * bits + (group == 64 ? 3.0 : group == 128 ? 1.5 : 0.0);
        store.record(timed(r2, gpu, p, lut_a, us, TimeSource::measured));
        store.record(timed(r2, gpu, p, lut_b, us * 1.3, TimeSource::measured));
        store.record(timed(r2, gpu, p, cublas, 48.0, TimeSource::measured));
        if (bits == 3)
          store.record(timed(r2, gpu, p, optq, 31.0, TimeSource::measured));
      }
    }
  }
  store.end_run(r2, store::RunStatus::completed);
  // A model-only run (the emulator backend).
  const auto r3 = run(model, "emu", "none");
  store.record(timed(r3, model, t1, lut_a, 200.0, TimeSource::modelled));
  store.end_run(r3, store::RunStatus::completed);
}

} // namespace lutgemm::handmade
