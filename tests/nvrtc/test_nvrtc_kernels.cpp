// NVRTC compiles a declared grid of kernel variants for sm_80 and sm_90 (compile_all, in
// parallel): every value of every LUT-GEMM knob at least once, every q 1..8, g in {32, 64, 128,
// 256, row-wise}, with and without offsets, the combine helpers and the OPTQ kernels. The ptxas
// report is read into numbers and checked for plausibility; the defaults in the grid must not
// spill (all defaults, q 1..8, are in test_nvrtc_defaults.cpp). The default batch-1 kernel's
// weight loads must be 128-bit constant-cache loads: checked in the SASS when nvdisasm is present,
// otherwise in the PTX (the test says which).
//
// The grid is small on purpose (about 20 programs per arch, about a minute on 2 cores): the q = 3
// defaults cover the batch shapes; a handful of extra variants cover every other knob value and q.
#include "common/error.hpp"
#include "kernels/lut_registers.hpp"
#include "nvrtc_grid.hpp"
#include "support/toolkit.hpp"

#include <cstdlib>
#include <map>

using namespace lutgemm;
using namespace lutgemm::nvrtc_test;

namespace {

LutParams lut(int mu, int r, int t, int kt, int ld, Accum acc, TableKind table, int bc, int split,
              Combine combine, int copies = 1, TableBuild build = TableBuild::direct) {
  return LutParams{mu, r, t, kt, ld, acc, table, bc, split, combine, copies, build};
}

// The extra variants: together with the q = 3 defaults, every value of every knob, every q and
// every g, with and without offsets.
std::vector<std::pair<Problem, LutParams>> knob_variants() {
  using A = Accum;
  using T = TableKind;
  using C = Combine;
  constexpr auto kSplit = TableBuild::split;
  constexpr auto kDirect = TableBuild::direct;
  // Kernel v2's table copies (2..32) and split build ride on these variants (the defaults have 1
  // copy and the direct build), and so do the splits 3..12 (not a template argument: the kernel
  // reads gridDim.y, so these compile the same programs as before).
  return {
      {problem(6, 32, false, 1), lut(4, 1, 64, 32, 32, A::f16, T::full, 1, 1, C::none, 32, kSplit)},
      {problem(4, 64, true, 2),
       lut(8, 2, 128, 64, 64, A::f32, T::full, 2, 2, C::atomic, 2, kDirect)},
      {problem(7, 256, true, 4),
       lut(4, 8, 512, 256, 128, A::f16, T::half, 4, 1, C::none, 8, kSplit)},
      {problem(5, kRowWise, false, 1), lut(8, 4, 128, 256, 32, A::f32, T::half, 1, 3, C::atomic)},
      {problem(8, 32, true, 8),
       lut(4, 2, 256, 128, 64, A::f16, T::full, 8, 6, C::reduce, 4, kDirect)},
      {problem(1, kRowWise, true, 32), lut(4, 4, 64, 64, 128, A::h2, T::full, 8, 1, C::none)},
      {problem(2, 64, false, 1),
       lut(8, 1, 512, 32, 32, A::f32, T::half, 1, 1, C::none, 16, kSplit)},
  };
}

// Packed pair tables (accum h4 / h8, and h4h / h8h with __half2 accumulators) at their
// conflict-free copies, the second member says whether the variant must not spill. h8 with 8
// columns x 4 rows of fp32 accumulators spilled 48 bytes on sm_80 and 168 on sm_90 (ptxas stopped
// at 80 registers) until packed variants asked __launch_bounds__ for 512 / threads blocks per SM
// (128 registers): now 125 / 128 registers, no spills. h8h at 8 rows x 8 columns: 125 / 128.
LutParams shfl_tables(LutParams p) {
  p.store = TableStore::shfl;
  return p;
}

std::vector<std::pair<std::pair<Problem, LutParams>, bool>> packed_variants() {
  using A = Accum;
  using T = TableKind;
  using C = Combine;
  return {
      {{problem(4, 128, true, 8),
        lut(8, 4, 256, 32, 128, A::h8, T::half, 8, 12, C::reduce, 8, TableBuild::split)},
       true},
      {{problem(4, 128, true, 8),
        lut(8, 8, 256, 32, 128, A::h8h, T::half, 8, 9, C::reduce, 8, TableBuild::split)},
       true},
      {{problem(3, 32, true, 8),
        lut(8, 8, 512, 32, 64, A::h4h, T::half, 4, 4, C::atomic, 16, TableBuild::split)},
       true},
      {{problem(3, 64, false, 4),
        lut(8, 4, 128, 32, 64, A::h4, T::half, 4, 1, C::none, 16, TableBuild::direct)},
       true},
      {{problem(3, 128, true, 1),
        shfl_tables(lut(4, 4, 256, 32, 128, A::f32, T::full, 1, 11, C::reduce))},
       true},
  };
}

std::vector<std::pair<Problem, OptqParams>> optq_variants() {
  const OptqParams dequant = default_optq_params(OptqKind::dequant, 3, 1);
  const OptqParams gemv = default_optq_params(OptqKind::gemv, 3, 1);
  const OptqParams gemv_b8 = default_optq_params(OptqKind::gemv, 4, 8);
  const OptqParams gemv_atomic{OptqKind::gemv, 128, 64, 2, 4, Combine::atomic};
  const OptqParams gemv_none{OptqKind::gemv, 64, 256, 1, 1, Combine::none};
  return {{problem(3, 128, true, 1), dequant},
          {problem(4, kRowWise, true, 1), dequant},
          {problem(3, 128, true, 1), gemv},
          {problem(4, 32, true, 8), gemv_b8},
          {problem(3, kRowWise, true, 2), gemv_atomic},
          {problem(4, 64, true, 1), gemv_none}};
}

const GridResult& grid() {
  static const GridResult result = [] {
    VariantList list;
    for (const auto& [p, params] : default_variants(3))
      list.add_lut(p, params, true);
    for (const auto& [p, params] : knob_variants())
      list.add_lut(p, params, false);
    for (const auto& [variant, spill_free] : packed_variants())
      list.add_lut(variant.first, variant.second, spill_free);
    for (const auto& [p, params] : optq_variants())
      // default_optq_params: both dequant variants and the split-8 gemv ones
      list.add_optq(p, params, params.kind == OptqKind::dequant || params.split == 8);
    list.add({"zero_f32", zero_f32_spec(), true, 0});
    list.add({"f32_to_f16", f32_to_f16_spec(), true, 0});
    list.add({"reduce_split", reduce_split_spec(), true, 0});
    return compile_grid(list.variants());
  }();
  return result;
}

} // namespace

TEST(NvrtcKernels, DeclaredGridCoversEveryKnobValueAndProblemParameter) {
  std::map<std::string, std::set<std::string>> seen;
  std::set<int> bits;
  std::set<int> groups;
  std::set<bool> offsets;
  auto note = [&](const Problem& p, const LutParams& params) {
    for (const auto& [knob, value] : to_values(params))
      seen[knob].insert(value);
    bits.insert(p.bits);
    groups.insert(p.group);
    offsets.insert(p.has_offset);
  };
  for (const auto& [p, params] : default_variants(3))
    note(p, params);
  for (const auto& [p, params] : knob_variants())
    note(p, params);
  for (const auto& [variant, spill_free] : packed_variants())
    note(variant.first, variant.second);
  for (const auto& knob : lut_knobs())
    for (const auto& value : knob.values)
      EXPECT_TRUE(seen[knob.name].count(value)) << knob.name << " = " << value << " never compiled";
  EXPECT_EQ(bits.size(), 8u);
  EXPECT_EQ(groups, (std::set<int>{kRowWise, 32, 64, 128, 256}));
  EXPECT_EQ(offsets.size(), 2u);
  std::set<std::string> optq_kinds;
  std::set<int> optq_bits;
  for (const auto& [p, params] : optq_variants()) {
    optq_kinds.insert(to_string(params.kind));
    optq_bits.insert(p.bits);
  }
  EXPECT_EQ(optq_kinds, (std::set<std::string>{"dequant", "gemv"}));
  EXPECT_EQ(optq_bits, (std::set<int>{3, 4}));
}

TEST(NvrtcKernels, EveryVariantCompilesForSm80AndSm90) {
  const GridResult& r = grid();
  ASSERT_EQ(r.outcomes.size(), r.requests.size());
  for (std::size_t i = 0; i < r.outcomes.size(); ++i) {
    const auto& outcome = r.outcomes[i];
    const auto& variant = r.variant(i);
    EXPECT_TRUE(outcome.error.empty())
        << variant.label << " " << r.requests[i].arch << ": " << outcome.error << "\n"
        << outcome.log.substr(0, 2000);
    if (!outcome.kernel)
      continue;
    EXPECT_FALSE(outcome.cache_hit);
    EXPECT_EQ(outcome.kernel->arch, r.requests[i].arch);
    EXPECT_FALSE(outcome.kernel->cubin.empty());
    EXPECT_FALSE(outcome.kernel->lowered_name.empty());
    EXPECT_NE(outcome.kernel->ptx.find(outcome.kernel->lowered_name), std::string::npos);
  }
}

TEST(NvrtcKernels, ResourceReportsArePlausible) {
  const GridResult& r = grid();
  for (std::size_t i = 0; i < r.outcomes.size(); ++i) {
    const auto& outcome = r.outcomes[i];
    if (!outcome.kernel)
      continue;
    const auto& variant = r.variant(i);
    const ResourceReport& res = outcome.kernel->resources;
    const std::string where = variant.label + " " + r.requests[i].arch + ": " + to_string(res);
    EXPECT_GT(res.registers, 0) << where;
    EXPECT_LE(res.registers, 255) << where;
    // Every family uses dynamic shared memory only; together it must fit the no-opt-in limit.
    EXPECT_EQ(res.static_smem_bytes, 0) << where;
    EXPECT_LE(res.static_smem_bytes + variant.dynamic_smem, kLutMaxSmemBytes) << where;
    // Spills are not checked here: a tuning variant may spill (the tuner measures what that
    // costs); the shipped defaults must not, checked in DefaultsInTheGridDoNotSpill below.
    // ptxas reports cmem[0] (the kernel parameters) on sm_80; sm_90 passes them differently.
    if (r.requests[i].arch == "sm_80") {
      EXPECT_GT(res.const_bank0_bytes, 0) << where;
    }
  }
}

// The model strategy ranks variants before compiling them, with registers estimated from the
// knobs (kernels/lut_registers.hpp, fitted on other sm_80 reports): on this grid the estimate must
// be closer to ptxas than the flat 64 the ranking assumed before, and never far off.
TEST(NvrtcKernels, RegisterEstimateTracksPtxas) {
  const GridResult& r = grid();
  double estimate_error = 0, flat_error = 0;
  int count = 0;
  for (std::size_t i = 0; i < r.outcomes.size(); ++i) {
    const auto& outcome = r.outcomes[i];
    const auto& variant = r.variant(i);
    if (!outcome.kernel || r.requests[i].arch != "sm_80" || !variant.label.starts_with("lut_"))
      continue;
    const int real = outcome.kernel->resources.registers;
    const int estimate = estimate_lut_registers(lut_params_from_label(variant.label));
    EXPECT_NEAR(estimate, real, std::max(24.0, 0.5 * real)) << variant.label;
    estimate_error += std::abs(estimate - real);
    flat_error += std::abs(64 - real);
    ++count;
  }
  ASSERT_GT(count, 5);
  EXPECT_LT(estimate_error, flat_error) << "mean error " << estimate_error / count << " vs "
                                        << flat_error / count << " for a flat 64";
}

TEST(NvrtcKernels, DefaultsInTheGridDoNotSpill) {
  expect_defaults_do_not_spill(grid());
}

TEST(NvrtcKernels, SecondCompileIsAMemoryCacheHit) {
  NvrtcCompiler compiler;
  const KernelSpec spec = zero_f32_spec();
  bool hit = true;
  auto first = compiler.compile(spec, "sm_90", &hit);
  EXPECT_FALSE(hit);
  auto second = compiler.compile(spec, "sm_90", &hit);
  EXPECT_TRUE(hit);
  EXPECT_EQ(first.get(), second.get());
  EXPECT_THROW(compiler.compile(spec, "gfx90a"), UsageError);
}

TEST(NvrtcKernels, BrokenVariantIsACompileErrorNotAThrowFromCompileAll) {
  // mu 6 fails the kernel's static_assert: NVRTC rejects the program; compile_all reports it.
  KernelSpec bad = lut_kernel_spec(problem(3, 128, true, 1), default_lut_params(3, 1));
  const auto at = bad.name_expression.find(", 8, 8, 256");
  ASSERT_NE(at, std::string::npos) << bad.name_expression;
  bad.name_expression.replace(at, 11, ", 6, 8, 256");
  NvrtcCompiler compiler;
  auto outcomes = compiler.compile_all({{bad, "sm_90"}}, 1);
  ASSERT_EQ(outcomes.size(), 1u);
  EXPECT_EQ(outcomes[0].kernel, nullptr);
  EXPECT_NE(outcomes[0].error.find("does not compile"), std::string::npos) << outcomes[0].error;
  EXPECT_NE(outcomes[0].log.find("mu must be 4 or 8"), std::string::npos) << outcomes[0].log;
}

// With 128-bit loads the weights are read 128 bits at a time through the constant (read-only)
// cache, and the defaults touch no local memory.
TEST(NvrtcKernels, WideLoadsAre128BitConstantLoadsAndDefaultsUseNoLocalMemory) {
  const GridResult& r = grid();
  const std::string b1_label = lut_label(problem(3, 128, true, 1), default_lut_params(3, 1));
  const std::string nvdisasm = find_nvdisasm();
  // scripts/test sets LUTGEMM_REQUIRE_TOOLS=1: scripts/setup installs nvdisasm there, so the SASS
  // check must run, not fall back to PTX.
  if (test::tools_required() && nvdisasm.empty())
    ADD_FAILURE() << "nvdisasm not found (LUTGEMM_REQUIRE_TOOLS=1: run scripts/setup, or set "
                     "LUTGEMM_NVDISASM)";
  std::printf("static check via %s\n", nvdisasm.empty()
                                           ? "PTX and the ptxas report (no nvdisasm found)"
                                           : ("SASS from " + nvdisasm).c_str());
  int checked_wide = 0;
  for (std::size_t i = 0; i < r.outcomes.size(); ++i) {
    const auto& variant = r.variant(i);
    const auto& outcome = r.outcomes[i];
    const std::string& arch = r.requests[i].arch;
    if (!outcome.kernel || variant.label.rfind("lut_", 0) != 0)
      continue;
    const bool wide = variant.label.find("_ld128_") != std::string::npos;
    // The disassembler takes about a second per cubin: every variant on sm_90, the b1 default on
    // both archs.
    if (arch != "sm_90" && variant.label != b1_label)
      continue;
    const std::string where = variant.label + " " + arch;
    if (nvdisasm.empty()) {
      // ld.global.nc.v4.u32 is what ptxas turns into LDG.E.128.CONSTANT.
      if (wide) {
        EXPECT_GT(count(outcome.kernel->ptx, "ld.global.nc.v4.u32"), 0u) << where;
        ++checked_wide;
      }
      if (variant.is_default) {
        EXPECT_EQ(count(outcome.kernel->ptx, "ld.local"), 0u) << where;
        EXPECT_EQ(count(outcome.kernel->ptx, "st.local"), 0u) << where;
      }
      continue;
    }
    const std::string sass = disassemble(nvdisasm, outcome.kernel->cubin);
    EXPECT_GT(count(sass, "LDG.E"), 0u) << where << ": not a SASS listing\n" << sass.substr(0, 400);
    if (wide) {
      EXPECT_GT(count(sass, "LDG.E.128.CONSTANT"), 0u) << where;
      ++checked_wide;
    } else {
      EXPECT_EQ(count(sass, "LDG.E.128"), 0u) << where << ": narrower weight loads expected";
    }
    if (variant.is_default) {
      EXPECT_EQ(count(sass, "LDL"), 0u) << where;
      EXPECT_EQ(count(sass, "STL"), 0u) << where;
    }
  }
  EXPECT_GE(checked_wide, 5); // the b1 default on both archs and the other ld128 variants
}
