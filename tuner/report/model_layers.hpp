#pragma once
// The linear layers of the models in the paper's end-to-end tables, and how tensor parallelism
// splits them. Built from the model presets (tuner/problem/presets.hpp), so a shape is defined in
// one place; q/k/v are fused into one "qkv" GEMV (M = q + k + v) as FasterTransformer, the
// paper's engine, runs them.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace lutgemm::report {

struct ModelLayer {
  std::string name;     // "qkv", then the preset's names: "out_proj", "fc1", "gate_proj", ...
  std::int64_t m = 0;   // outputs
  std::int64_t k = 0;   // inputs
  bool column_parallel; // tensor parallel splits M (column-parallel) or K (row-parallel)
};

struct ModelLayers {
  std::string key; // the preset's name in lower case: "opt-175b", "llama-7b", ...
  int blocks = 0;  // transformer blocks (each has every layer once)
  std::vector<ModelLayer> layers;
};

// Throws UsageError listing the known keys.
const ModelLayers& model_layers(std::string_view key);

// The layer as one of `gpus` tensor-parallel shards computes it: M / gpus for column-parallel
// layers (qkv, fc1, gate, up), K / gpus for row-parallel ones (out, fc2, down).
ModelLayer shard(const ModelLayer& layer, int gpus);

} // namespace lutgemm::report
