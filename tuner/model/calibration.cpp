#include "model/calibration.hpp"

#include "common/error.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace lutgemm::model {
namespace {

// Relative step of the sensitivity test, and how much a point's model time must move (as a share
// of that step, i.e. the elasticity) for the point to count as sensitive to the constant.
constexpr double kSensitivityStep = 0.05;
constexpr double kMinElasticity = 0.2;
// A constant is identified when at least this many points are sensitive to it.
constexpr int kMinSensitivePoints = 2;
constexpr int kCoarseSteps = 33; // per constant
constexpr int kFineSteps = 9;
constexpr int kZooms = 10;

struct Usable {
  const KernelWorkload* workload;
  double log_measured;
};

double model_us(const KernelWorkload& w, const GpuSpec& spec) {
  return predict(w, spec).total_us;
}

// Sum of squared log-ratios model / measured.
double objective(const std::vector<Usable>& points, const GpuSpec& base,
                 const EfficiencyConstants& c) {
  const GpuSpec spec = with_efficiency(base, c);
  double sum = 0;
  for (const auto& p : points) {
    const double e = std::log(model_us(*p.workload, spec)) - p.log_measured;
    sum += e * e;
  }
  return sum;
}

// Latency is searched in log space (its plausible range spans more than a decade).
struct Box {
  double f_lo, f_hi, l_lo, l_hi; // l_*: ln(latency)
};

// Best point of an n x n grid over the box; `fix_f` / `fix_l` hold one constant.
EfficiencyConstants grid_search(const std::vector<Usable>& points, const GpuSpec& base, Box box,
                                int n, bool fit_f, bool fit_l, const EfficiencyConstants& fixed,
                                double& best) {
  EfficiencyConstants best_c = fixed;
  best = std::numeric_limits<double>::infinity();
  const int nf = fit_f ? n : 1, nl = fit_l ? n : 1;
  for (int i = 0; i < nf; ++i) {
    const double f =
        fit_f ? box.f_lo + (box.f_hi - box.f_lo) * i / (n - 1) : fixed.achievable_dram_fraction;
    for (int j = 0; j < nl; ++j) {
      const double l =
          fit_l ? std::exp(box.l_lo + (box.l_hi - box.l_lo) * j / (n - 1)) : fixed.dram_latency_ns;
      const EfficiencyConstants c{f, l};
      const double value = objective(points, base, c);
      if (value < best) {
        best = value;
        best_c = c;
      }
    }
  }
  return best_c;
}

// Coarse grid, then grids of kFineSteps around the best point, each a quarter of the last.
EfficiencyConstants minimise(const std::vector<Usable>& points, const GpuSpec& base, bool fit_f,
                             bool fit_l, const EfficiencyConstants& fixed) {
  const Box full{kMinDramFraction, kMaxDramFraction, std::log(kMinDramLatencyNs),
                 std::log(kMaxDramLatencyNs)};
  double best = 0;
  EfficiencyConstants c = grid_search(points, base, full, kCoarseSteps, fit_f, fit_l, fixed, best);
  double half_f = (full.f_hi - full.f_lo) / (kCoarseSteps - 1);
  double half_l = (full.l_hi - full.l_lo) / (kCoarseSteps - 1);
  for (int zoom = 0; zoom < kZooms; ++zoom) {
    const double lc = std::log(c.dram_latency_ns);
    const Box box{std::max(full.f_lo, c.achievable_dram_fraction - half_f),
                  std::min(full.f_hi, c.achievable_dram_fraction + half_f),
                  std::max(full.l_lo, lc - half_l), std::min(full.l_hi, lc + half_l)};
    double value = 0;
    const auto next = grid_search(points, base, box, kFineSteps, fit_f, fit_l, fixed, value);
    if (value <= best) {
      best = value;
      c = next;
    }
    half_f /= 4;
    half_l /= 4;
  }
  return c;
}

// Points whose model time moves with one constant around `c` (either direction).
int sensitive_points(const std::vector<Usable>& points, const GpuSpec& base,
                     const EfficiencyConstants& c, bool fraction) {
  const GpuSpec at = with_efficiency(base, c);
  int n = 0;
  for (const auto& p : points) {
    const double t = model_us(*p.workload, at);
    double moved = 0;
    for (double factor : {1 - kSensitivityStep, 1 + kSensitivityStep}) {
      EfficiencyConstants d = c;
      (fraction ? d.achievable_dram_fraction : d.dram_latency_ns) *= factor;
      const double t2 = model_us(*p.workload, with_efficiency(base, d));
      moved = std::max(moved, std::abs(std::log(t2 / t)) / std::abs(std::log(factor)));
    }
    n += moved >= kMinElasticity;
  }
  return n;
}

double mean_abs_error(const std::vector<Usable>& points, const GpuSpec& spec,
                      std::vector<double>* errors = nullptr) {
  double sum = 0;
  for (const auto& p : points) {
    const double e = model_us(*p.workload, spec) / std::exp(p.log_measured) - 1;
    sum += std::abs(e);
    if (errors)
      errors->push_back(e);
  }
  return points.empty() ? 0 : sum / static_cast<double>(points.size());
}

bool at_edge(double value, double lo, double hi) {
  const double margin = (hi - lo) * 1e-3;
  return value <= lo + margin || value >= hi - margin;
}

} // namespace

CalibrationFit fit_efficiency(const std::vector<CalibrationPoint>& points, const GpuSpec& base) {
  CalibrationFit fit;
  std::vector<Usable> usable;
  for (const auto& p : points) {
    // Launchability does not depend on the constants: decided once, on the base target.
    if (!(p.measured_us > 0) || !predict(p.workload, base).launchable) {
      ++fit.skipped;
      continue;
    }
    usable.push_back({&p.workload, std::log(p.measured_us)});
    fit.labels.push_back(p.label);
  }
  if (usable.empty())
    throw UsageError("no measurement the model can launch on the base target: nothing to fit");
  fit.points = static_cast<int>(usable.size());

  const EfficiencyConstants prior = efficiency_of(base);
  EfficiencyConstants c = minimise(usable, base, true, true, prior);
  bool f_ok = sensitive_points(usable, base, c, true) >= kMinSensitivePoints;
  bool l_ok = sensitive_points(usable, base, c, false) >= kMinSensitivePoints;
  // A constant the data do not pin keeps its prior; the other is fitted again with it held.
  if (f_ok != l_ok) {
    EfficiencyConstants held = c;
    if (!f_ok)
      held.achievable_dram_fraction = prior.achievable_dram_fraction;
    else
      held.dram_latency_ns = prior.dram_latency_ns;
    c = minimise(usable, base, f_ok, l_ok, held);
  } else if (!f_ok) {
    c = prior;
  }
  fit.constants = c;
  fit.dram_fraction = {"achievable_dram_fraction",
                       prior.achievable_dram_fraction,
                       c.achievable_dram_fraction,
                       sensitive_points(usable, base, c, true),
                       f_ok,
                       f_ok &&
                           at_edge(c.achievable_dram_fraction, kMinDramFraction, kMaxDramFraction)};
  fit.dram_latency = {"dram_latency_ns",
                      prior.dram_latency_ns,
                      c.dram_latency_ns,
                      sensitive_points(usable, base, c, false),
                      l_ok,
                      l_ok && at_edge(c.dram_latency_ns, kMinDramLatencyNs, kMaxDramLatencyNs)};
  fit.mean_abs_error_before = mean_abs_error(usable, base);
  fit.mean_abs_error_after = mean_abs_error(usable, with_efficiency(base, c), &fit.errors_after);
  return fit;
}

} // namespace lutgemm::model
