#include "report/model_layers.hpp"

#include "common/error.hpp"

#include <fmt/format.h>

namespace lutgemm::report {
namespace {

ModelLayers opt(std::string key, std::int64_t h, int blocks) {
  return {std::move(key),
          blocks,
          {{"qkv", 3 * h, h, true},
           {"out", h, h, false},
           {"fc1", 4 * h, h, true},
           {"fc2", h, 4 * h, false}}};
}

ModelLayers llama(std::string key, std::int64_t h, std::int64_t mlp, int blocks) {
  return {std::move(key),
          blocks,
          {{"qkv", 3 * h, h, true},
           {"o", h, h, false},
           {"gate", mlp, h, true},
           {"up", mlp, h, true},
           {"down", h, mlp, false}}};
}

const std::vector<ModelLayers>& all_models() {
  static const std::vector<ModelLayers> models{
      opt("opt-175b", 12288, 96),          llama("llama-7b", 4096, 11008, 32),
      llama("llama-13b", 5120, 13824, 40), llama("llama-30b", 6656, 17920, 60),
      llama("llama-65b", 8192, 22016, 80),
  };
  return models;
}

} // namespace

const ModelLayers& model_layers(std::string_view key) {
  std::string known;
  for (const auto& m : all_models()) {
    if (m.key == key)
      return m;
    known += (known.empty() ? "" : ", ") + m.key;
  }
  throw UsageError(fmt::format("unknown model '{}' (known: {})", key, known));
}

ModelLayer shard(const ModelLayer& layer, int gpus) {
  ModelLayer s = layer;
  if (layer.column_parallel)
    s.m = layer.m / gpus;
  else
    s.k = layer.k / gpus;
  return s;
}

} // namespace lutgemm::report
