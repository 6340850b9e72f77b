// The end-to-end tables' layer lists come from the model presets: same weights, q/k/v fused.
#include "common/error.hpp"
#include "problem/presets.hpp"
#include "report/model_layers.hpp"

#include <gtest/gtest.h>

using namespace lutgemm;
using namespace lutgemm::report;

TEST(ModelLayers, EveryPresetKeepsItsWeightsWithQkvFused) {
  for (const auto& preset : model_presets()) {
    const auto& model = model_layers(preset.name); // case-insensitive
    EXPECT_EQ(model.blocks, preset.layers) << preset.name;
    std::int64_t weights = 0;
    for (const auto& l : model.layers) {
      weights += l.m * l.k;
      EXPECT_NE(l.name, "q_proj") << preset.name;
    }
    EXPECT_EQ(weights, preset.weights_per_layer()) << preset.name;
  }
}

TEST(ModelLayers, PaperShapesAndParallelSplits) {
  const auto& opt = model_layers("opt-175b");
  ASSERT_EQ(opt.layers.size(), 4u);
  EXPECT_EQ(opt.layers[0].name, "qkv");
  EXPECT_EQ(opt.layers[0].m, 3 * 12288);
  EXPECT_TRUE(opt.layers[0].column_parallel);
  EXPECT_FALSE(opt.layers[1].column_parallel); // out_proj
  EXPECT_EQ(opt.layers[2].m, 49152);           // fc1: the paper's Table 1 layer
  EXPECT_FALSE(opt.layers[3].column_parallel); // fc2
  // LLaMA-2-70B's grouped-query attention: k and v are 1024 wide.
  const auto& llama2 = model_layers("LLaMA-2-70B");
  EXPECT_EQ(llama2.layers[0].m, 8192 + 2 * 1024);
  EXPECT_EQ(llama2.layers.size(), 5u);
  EXPECT_EQ(shard(llama2.layers.back(), 4).k, 28672 / 4); // down_proj is row-parallel
  EXPECT_THROW(model_layers("gpt-5"), UsageError);
}
