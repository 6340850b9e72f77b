#include "targets/gpu_spec.hpp"

#include "common/error.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

using namespace lutgemm;

TEST(Targets, RequiredGpusArePresentWithSaneLimits) {
  for (const char* key :
       {"a100-40gb", "a100-80gb", "a100-80gb-pcie", "h100-sxm", "h100-pcie", "h100-nvl", "h200",
        "h20", "b200", "l40s", "l40", "l4", "a10", "rtx-a6000", "rtx-3090", "rtx-4090", "t4"}) {
    const GpuSpec* spec = try_find_target(key);
    ASSERT_NE(spec, nullptr) << key;
    EXPECT_EQ(spec->arch, "sm_" + std::to_string(spec->compute_capability())) << key;
    EXPECT_GT(spec->sm_count, 0) << key;
    EXPECT_GT(spec->dram_gbps, 100) << key;
    EXPECT_GE(spec->smem_per_sm, spec->smem_per_block_optin) << key;
    EXPECT_GE(spec->smem_per_block_optin, spec->smem_per_block_static) << key;
    EXPECT_EQ(spec->regs_per_sm, 65536) << key;
    EXPECT_GT(spec->achievable_dram_fraction, 0.5) << key;
    EXPECT_LT(spec->achievable_dram_fraction, 1.0) << key;
    EXPECT_GT(spec->dram_latency_ns, spec->l2_latency_ns) << key;
    EXPECT_GT(spec->l2_gbps, spec->dram_gbps) << key;
    EXPECT_GT(spec->fp16_tensor_tflops, 0) << key;
  }
  std::set<std::string_view> keys;
  for (const auto& spec : gpu_specs())
    EXPECT_TRUE(keys.insert(spec.key).second) << "duplicate " << spec.key;
}

TEST(Targets, DatasheetFiguresFromPaperNotes) {
  // PAPER.md "Figures of the hardware".
  const auto& a100 = find_target("a100-80gb");
  EXPECT_EQ(a100.dram_gbps, 2039);
  EXPECT_EQ(a100.sm_count, 108);
  EXPECT_EQ(a100.l2_bytes, 40ll << 20);
  EXPECT_EQ(a100.smem_per_sm, 164 * 1024);
  EXPECT_EQ(a100.arch, "sm_80");
  EXPECT_EQ(find_target("a100-40gb").dram_gbps, 1555);
  const auto& h100 = find_target("h100-sxm");
  EXPECT_EQ(h100.dram_gbps, 3350);
  EXPECT_EQ(h100.sm_count, 132);
  EXPECT_EQ(h100.l2_bytes, 50ll << 20);
  EXPECT_EQ(h100.smem_per_sm, 228 * 1024);
  EXPECT_EQ(find_target("h200").dram_gbps, 4800);
  EXPECT_EQ(find_target("l40s").arch, "sm_89");
  EXPECT_EQ(find_target("l40s").dram_gbps, 864);
  EXPECT_EQ(find_target("rtx-4090").dram_gbps, 1008);
  EXPECT_EQ(find_target("a10").arch, "sm_86");
  EXPECT_EQ(find_target("a10").dram_gbps, 600);
  // Issue 15: one table. The A100 80GB PCIe has its own datasheet bandwidth.
  EXPECT_EQ(find_target("a100-80gb-pcie").dram_gbps, 1935);
  // Targets users asked for (issue 10), datasheet figures.
  EXPECT_EQ(find_target("h20").dram_gbps, 4000);
  EXPECT_EQ(find_target("rtx-a6000").dram_gbps, 768);
  EXPECT_EQ(find_target("rtx-a6000").sm_count, 84);
  EXPECT_EQ(find_target("l40").dram_gbps, 864);
  EXPECT_EQ(find_target("l40").sm_count, 142);
  EXPECT_EQ(find_target("b200").dram_gbps, 8000);
  EXPECT_EQ(find_target("b200").arch, "sm_100");
}

TEST(Targets, LookupIsForgivingAboutCaseAndSeparators) {
  EXPECT_EQ(&find_target("A100_80GB"), &find_target("a100-80gb"));
  EXPECT_EQ(&find_target("H100 SXM"), &find_target("h100-sxm"));
}

TEST(Targets, UnknownKeyListsKnownOnes) {
  try {
    find_target("v100");
    FAIL() << "expected UsageError";
  } catch (const UsageError& e) {
    const std::string text = e.what();
    EXPECT_NE(text.find("unknown target 'v100'"), std::string::npos) << text;
    EXPECT_NE(text.find("a100-80gb"), std::string::npos) << text;
    EXPECT_NE(text.find("t4"), std::string::npos) << text;
  }
  EXPECT_EQ(try_find_target(""), nullptr);
}

TEST(Targets, MatchesDriverDeviceNames) {
  auto key = [](std::string_view name, std::int64_t mem = 0) {
    const GpuSpec* s = match_device_name(name, mem);
    return s ? std::string(s->key) : std::string("none");
  };
  EXPECT_EQ(key("NVIDIA A100-SXM4-80GB"), "a100-80gb");
  EXPECT_EQ(key("NVIDIA A100-SXM4-40GB"), "a100-40gb");
  EXPECT_EQ(key("NVIDIA A100-PCIE-40GB"), "a100-40gb");
  EXPECT_EQ(key("NVIDIA A100 PCIe", 80ll << 30), "a100-80gb-pcie");
  EXPECT_EQ(key("NVIDIA A100 80GB PCIe"), "a100-80gb-pcie");
  EXPECT_EQ(key("NVIDIA H100 NVL"), "h100-nvl");
  EXPECT_EQ(key("NVIDIA H20"), "h20");
  EXPECT_EQ(key("NVIDIA RTX A6000"), "rtx-a6000");
  EXPECT_EQ(key("NVIDIA L40"), "l40");
  EXPECT_EQ(key("NVIDIA B200"), "b200");
  EXPECT_EQ(key("NVIDIA H100 80GB HBM3"), "h100-sxm");
  EXPECT_EQ(key("NVIDIA H100 PCIe"), "h100-pcie");
  EXPECT_EQ(key("NVIDIA H200"), "h200");
  EXPECT_EQ(key("NVIDIA L40S"), "l40s");
  EXPECT_EQ(key("NVIDIA L4"), "l4");
  EXPECT_EQ(key("NVIDIA A10"), "a10");
  EXPECT_EQ(key("NVIDIA GeForce RTX 3090"), "rtx-3090");
  EXPECT_EQ(key("NVIDIA GeForce RTX 4090"), "rtx-4090");
  EXPECT_EQ(key("Tesla T4"), "t4");
  EXPECT_EQ(key("Tesla V100-SXM2-16GB"), "none");
}
