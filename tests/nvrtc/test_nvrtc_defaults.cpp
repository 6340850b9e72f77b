// Every LUT-GEMM variant we ship without tuning (default_lut_params for bits 1..8 and batches
// 1..32: four distinct parameter sets per q) compiles for sm_80 and sm_90 without spills or a
// stack frame, so it makes no local-memory traffic. Registers and shared memory are printed: the
// README's table of defaults is this output. About 64 programs: the slowest NVRTC test (the
// batch-8 shape alone takes several seconds per program), kept apart from the knob grid.
#include "nvrtc_grid.hpp"

using namespace lutgemm;
using namespace lutgemm::nvrtc_test;

TEST(NvrtcDefaults, EveryDefaultCompilesWithoutSpillsOnSm80AndSm90) {
  VariantList list;
  for (int bits = kMinBits; bits <= kMaxBits; ++bits)
    for (const auto& [p, params] : default_variants(bits))
      list.add_lut(p, params, true);
  ASSERT_EQ(list.variants().size(), 32u) << "default_lut_params changed its batch buckets";
  const GridResult r = compile_grid(list.variants());
  for (std::size_t i = 0; i < r.outcomes.size(); ++i)
    EXPECT_TRUE(r.outcomes[i].error.empty())
        << r.variant(i).label << " " << r.requests[i].arch << ": " << r.outcomes[i].error;
  expect_defaults_do_not_spill(r);
}
