#pragma once
// Fitting a target's efficiency constants (tuner/targets/calibrated_targets.hpp: the achievable
// DRAM fraction and the loaded DRAM latency) to measured kernel times, for `lutgemm calibrate`.
//
// The two constants act on different points: the fraction sets the time of kernels with enough
// bytes in flight to saturate DRAM, the latency that of kernels that do not (small grids, few
// loads per thread: Little's law). The fit minimises the squared log-ratio of model to measured
// time over all points (a coarse grid over both constants, then finer grids around the best), so
// that a 10% error counts the same on a 20 us and a 2 ms kernel. A constant that no point is
// sensitive to at the fit (no bandwidth-bound or no latency-bound point) is not identified by the
// data: it keeps its prior (the built-in value) and the fit says so.
#include "model/perf_model.hpp"
#include "targets/calibrated_targets.hpp"

#include <string>
#include <vector>

namespace lutgemm::model {

struct CalibrationPoint {
  std::string label; // what was measured, for the residuals ("lut_q3_... on 4096x4096 b1")
  KernelWorkload workload;
  double measured_us = 0; // cold-L2 median, as the harness times
};

// Search ranges of the constants (wide: a fit at an edge is reported as such).
inline constexpr double kMinDramFraction = 0.2, kMaxDramFraction = 1.0;
inline constexpr double kMinDramLatencyNs = 100, kMaxDramLatencyNs = 5000;

struct ConstantFit {
  std::string name;
  double prior = 0;         // the base target's value
  double value = 0;         // fitted (or the prior when not identified)
  int sensitive_points = 0; // points whose model time moves with this constant at the fit
  bool identified = false;
  bool at_range_edge = false; // the best value lies on the search range's edge
};

struct CalibrationFit {
  EfficiencyConstants constants;
  ConstantFit dram_fraction, dram_latency;
  int points = 0;  // launchable points used
  int skipped = 0; // points the model cannot launch on the base target
  // Mean |model / measured - 1| with the prior and with the fitted constants.
  double mean_abs_error_before = 0, mean_abs_error_after = 0;
  std::vector<double> errors_after; // per used point, in input order (skipped ones left out)
  std::vector<std::string> labels;  // the used points' labels
};

// Throws UsageError when no point is launchable on `base`.
CalibrationFit fit_efficiency(const std::vector<CalibrationPoint>& points, const GpuSpec& base);

} // namespace lutgemm::model
