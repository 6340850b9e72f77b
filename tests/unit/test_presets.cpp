// Model presets against the published model configurations (hidden/MLP sizes, layer counts).
#include "common/error.hpp"
#include "problem/presets.hpp"

#include <gtest/gtest.h>

using namespace lutgemm;

namespace {
const LinearLayer& layer(const ModelPreset& preset, const std::string& name) {
  for (const auto& l : preset.linears)
    if (l.name == name)
      return l;
  throw std::runtime_error("no layer " + name + " in " + preset.name);
}
} // namespace

TEST(Presets, OptShapesAndLayerCounts) {
  struct Expected {
    const char* name;
    std::int64_t hidden;
    int layers;
  };
  for (const auto& e : {Expected{"OPT-125M", 768, 12}, Expected{"OPT-350M", 1024, 24},
                        Expected{"OPT-1.3B", 2048, 24}, Expected{"OPT-2.7B", 2560, 32},
                        Expected{"OPT-6.7B", 4096, 32}, Expected{"OPT-13B", 5120, 40},
                        Expected{"OPT-30B", 7168, 48}, Expected{"OPT-66B", 9216, 64},
                        Expected{"OPT-175B", 12288, 96}}) {
    const auto& p = find_preset(e.name);
    EXPECT_EQ(p.layers, e.layers) << e.name;
    ASSERT_EQ(p.linears.size(), 6u) << e.name;
    for (const char* proj : {"q_proj", "k_proj", "v_proj", "out_proj"}) {
      EXPECT_EQ(layer(p, proj).m, e.hidden);
      EXPECT_EQ(layer(p, proj).k, e.hidden);
    }
    EXPECT_EQ(layer(p, "fc1").m, 4 * e.hidden);
    EXPECT_EQ(layer(p, "fc1").k, e.hidden);
    EXPECT_EQ(layer(p, "fc2").m, e.hidden);
    EXPECT_EQ(layer(p, "fc2").k, 4 * e.hidden);
    EXPECT_EQ(p.weights_per_layer(), 12 * e.hidden * e.hidden);
  }
  // OPT-175B: ~175e9 parameters, ~174.6e9 of them in decoder linears.
  const auto& big = find_preset("opt-175b");
  EXPECT_NEAR(static_cast<double>(big.total_weights()), 1.739e11, 0.01e11);
}

TEST(Presets, LlamaShapesIncludingGqa) {
  struct Expected {
    const char* name;
    std::int64_t hidden, mlp, kv;
    int layers;
  };
  for (const auto& e :
       {Expected{"LLaMA-7B", 4096, 11008, 4096, 32}, Expected{"LLaMA-13B", 5120, 13824, 5120, 40},
        Expected{"LLaMA-30B", 6656, 17920, 6656, 60}, Expected{"LLaMA-65B", 8192, 22016, 8192, 80},
        Expected{"LLaMA-2-70B", 8192, 28672, 1024, 80}}) {
    const auto& p = find_preset(e.name);
    EXPECT_EQ(p.layers, e.layers) << e.name;
    ASSERT_EQ(p.linears.size(), 7u);
    EXPECT_EQ(layer(p, "q_proj").m, e.hidden);
    EXPECT_EQ(layer(p, "k_proj").m, e.kv);
    EXPECT_EQ(layer(p, "k_proj").k, e.hidden);
    EXPECT_EQ(layer(p, "v_proj").m, e.kv);
    EXPECT_EQ(layer(p, "o_proj").k, e.hidden);
    EXPECT_EQ(layer(p, "gate_proj").m, e.mlp);
    EXPECT_EQ(layer(p, "up_proj").k, e.hidden);
    EXPECT_EQ(layer(p, "down_proj").m, e.hidden);
    EXPECT_EQ(layer(p, "down_proj").k, e.mlp);
  }
  // LLaMA-7B: 6.74e9 parameters, of which 32 * 202e6 = 6.48e9 in decoder linears.
  EXPECT_EQ(find_preset("llama-7b").total_weights(), 32LL * (4 * 4096 * 4096 + 3 * 4096 * 11008));
}

TEST(Presets, SingleLayerPresetsAndLookup) {
  const auto& t1 = find_preset("PAPER-TABLE1");
  ASSERT_EQ(t1.linears.size(), 1u);
  EXPECT_EQ(t1.linears[0].m, 49152);
  EXPECT_EQ(t1.linears[0].k, 12288);
  const auto& orig = find_preset("lutgemm-test");
  EXPECT_EQ(orig.linears[0].m, 28672);
  EXPECT_EQ(orig.linears[0].k, 7168);
  EXPECT_EQ(model_presets().size(), 16u);
  for (const auto& p : model_presets())
    for (const auto& l : p.linears)
      EXPECT_EQ(l.k % 32, 0) << p.name << " " << l.name; // every K packs into whole words
  try {
    find_preset("GPT-5");
    FAIL() << "no error";
  } catch (const UsageError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("GPT-5"), std::string::npos);
    EXPECT_NE(message.find("OPT-175B"), std::string::npos);
    EXPECT_NE(message.find("LLaMA-2-70B"), std::string::npos);
  }
}
