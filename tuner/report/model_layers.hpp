#pragma once
// The linear layers of the models in the paper's end-to-end tables, and how tensor parallelism
// splits them. Shapes from PAPER.md ("Shapes that matter").
// TODO(report): build these from tuner/problem/presets.hpp once the quant helper's presets land.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace lutgemm::report {

struct ModelLayer {
  std::string name;     // "qkv", "out", "fc1", ...
  std::int64_t m = 0;   // outputs
  std::int64_t k = 0;   // inputs
  bool column_parallel; // tensor parallel splits M (column-parallel) or K (row-parallel)
};

struct ModelLayers {
  std::string key; // "opt-175b", "llama-7b", ...
  int blocks = 0;  // transformer blocks (each has every layer once)
  std::vector<ModelLayer> layers;
};

// Throws UsageError listing the known keys.
const ModelLayers& model_layers(std::string_view key);

// The layer as one of `gpus` tensor-parallel shards computes it: M / gpus for column-parallel
// layers (qkv, fc1, gate, up), K / gpus for row-parallel ones (out, fc2, down).
ModelLayer shard(const ModelLayer& layer, int gpus);

} // namespace lutgemm::report
