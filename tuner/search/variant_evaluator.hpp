#pragma once
// The Evaluator over the real modules, for the LUT-GEMM family on a backend:
//   space      the family's knobs (all, or the small curated subspace) with --param restrictions
//   compile    NVRTC through the cache tiers (cuda), the host compiler (emu); errors are
//   dispositions pre-filter the target's limits (the device's on cuda, the built-in spec table's on
//   emu) verify     the kernel's output against the float64 reference of the dequantized weights;
//   on
//              cuda at the real shape, on emu at a proxy shape with the same tile and group
//              structure (stated in the outcome)
//   time       cuda: CUDA events, cold weights (rotated copies > 2x L2), warm-up, noise-based stop;
//              emu: no timing, the time is the performance model's for the target: modelled
#include "backend/backend.hpp"
#include "jit/nvrtc_compiler.hpp"
#include "search/evaluator.hpp"
#include "search/verification.hpp"
#include "space/families.hpp"
#include "targets/gpu_spec.hpp"

#include <map>
#include <memory>

namespace lutgemm::search {

struct EvaluatorConfig {
  const GpuSpec* target = nullptr; // model and pre-filter target (required)
  space::TargetLimits limits;      // pre-filter limits (target_limits(*target) or the device's)
  double dram_peak_gbps = 0;       // for % of peak (the device's, or the target's datasheet)
  std::int64_t l2_bytes = 0;       // cold-L2 rotation (cuda)
  bool small_space = false;
  std::vector<std::string> restrictions; // --param name=v1,v2
  std::uint64_t seed = 1;
  measure::StopPolicy stop;
  // Test hook: compile the main kernel from this embedded source instead of kernels/lutgemm.cuh
  // (a deliberately wrong kernel proves that verification catches it).
  std::string source_override;
  // emu: verify at the real shape instead of the proxy (`tune --verify full`; slower).
  bool verify_full = false;
  // emu: NVRTC for the target's arch, only for ptxas's resource report (registers, spills), so the
  // pre-filter and the model see what the target's compiler makes of each kernel. Null: skipped.
  std::shared_ptr<NvrtcCompiler> resource_compiler;
};

class VariantEvaluator final : public Evaluator {
public:
  VariantEvaluator(std::shared_ptr<backend::Backend> backend, EvaluatorConfig config);

  std::string family() const override { return "lutgemm"; }
  TimeSource source() const override;
  space::SearchSpace space(const Problem& problem) override;
  std::optional<double> predict_us(const Problem& problem, const space::KernelVariant& v) override;
  VariantOutcome evaluate(const Problem& problem, const space::KernelVariant& variant) override;
  std::vector<double> remeasure(const Problem& problem,
                                const space::KernelVariant& variant) override;

  // The emulator's verification shape for a variant: M covers one full row block and a partial
  // one, K two (lcm of K tile and group) units per split up to two splits, batch unchanged;
  // never larger than the problem.
  static Problem proxy_problem(const Problem& problem, const LutParams& params);

private:
  VariantOutcome evaluate_unguarded(const Problem& problem, const space::KernelVariant& variant);
  // The timing request with the cold-weight rotation of the uploaded data (cuda).
  backend::TimingRequest cold_request(const Problem& problem) const;
  LaunchPlan plan_for(const Problem& shape, const LutParams& params) const;
  const VerificationData& data_for(const Problem& shape);
  void upload(const VerificationData& data);

  std::shared_ptr<backend::Backend> backend_;
  EvaluatorConfig config_;
  std::map<std::string, VerificationData> data_; // by to_string(shape)
  std::string uploaded_;                         // shape whose data is on the backend
  int weight_copies_ = 1;
};

} // namespace lutgemm::search
