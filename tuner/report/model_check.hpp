#pragma once
// `lutgemm model-check`: the performance model (tuner/model) against published GPU measurements:
// the paper's kernel tables (results/paper/, Tables 1 and 2), the end-to-end tables as upper
// bounds of the layers' kernel sum, and results/calibration/published_points.csv (other projects'
// measurements; see its README). Each point gets the model's figure and its relative error; each
// kernel family its mean and worst absolute error. Nothing here is measured by this project.
#include "report/paper_tables.hpp"

#include <string>
#include <vector>

namespace lutgemm::report {

// What a point compares.
enum class CheckKind {
  latency, // published microseconds vs the model's
  speedup, // published cuBLAS fp16 time / kernel time vs the model's ratio
  bound,   // the model must not contradict the published figure (see CheckPoint::note)
};

struct CheckPoint {
  std::string source; // "paper Table 1", "published_points.csv line 17", ...
  std::string family; // "cuBLAS fp16", "LUT-GEMM", ...; bounds have their own families
  std::string target; // built-in target key
  std::string problem;
  std::string kernel; // what the model predicts: "cublas_fp16", "lutgemm", ...
  CheckKind kind = CheckKind::latency;
  std::string l2; // L2 regime of the model's figure: "cold" (weights streamed from DRAM), "warm"
  double published = 0;
  double model = 0;
  // latency and speedup: model / published - 1. bound: how far the model is past the bound
  // (0 when it holds).
  double error = 0;
  std::string note; // what a bound checks, why a regime was chosen
};

struct FamilySummary {
  std::string family;
  int points = 0;
  double mean_abs_error = 0;
  double worst_abs_error = 0;
};

// The acceptance thresholds (issue 10, point 8).
inline constexpr double kFamilyMeanThreshold = 0.15; // families with >= 3 points
inline constexpr int kFamilyMinPoints = 3;
inline constexpr double kPointThreshold = 0.40;
// Paper Table 1: LUT-GEMM's cost per extra bit (least squares over q3, q4, q8), within 15%.
inline constexpr double kSlopeThreshold = 0.15;

struct ModelCheck {
  std::vector<CheckPoint> points;
  std::vector<FamilySummary> families;
  std::vector<std::string> skipped; // rows not checked, and why
  // Least-squares line of LUT-GEMM latency (us) against bits, paper Table 1.
  double published_slope_us_per_bit = 0, published_fixed_us = 0;
  double model_slope_us_per_bit = 0, model_fixed_us = 0;
  // Verdicts against the thresholds above, one line each when one fails.
  std::vector<std::string> failures;
  bool passed() const { return failures.empty(); }
};

// Runs the check over the embedded paper tables and `points` (the published points table, e.g.
// paper_table-style parse of results/calibration/published_points.csv). Throws RuntimeError on a
// row that cannot be read (naming the line) and UsageError on an unknown target.
ModelCheck run_model_check(const CsvTable& points);

// The embedded copy of results/calibration/published_points.csv.
CsvTable embedded_published_points();

// The held-out set: published measurements that are not in published_points.csv and that no
// constant of the model was chosen against (results/calibration/held_out_points.csv, same columns).
// Checked alone, with the same rules and thresholds, and reported apart: it says whether the
// model's physics carries over, not whether the calibration points were fitted.
ModelCheck run_held_out_check(const CsvTable& points);
CsvTable embedded_held_out_points();

} // namespace lutgemm::report
