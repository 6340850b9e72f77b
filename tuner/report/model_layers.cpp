#include "report/model_layers.hpp"

#include "common/error.hpp"
#include "problem/presets.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace lutgemm::report {
namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool is_qkv(const std::string& name) {
  return name == "q_proj" || name == "k_proj" || name == "v_proj";
}

// Megatron-style tensor parallelism: layers that read the full hidden state split their outputs
// (column-parallel); layers that read a split activation (attention output, second MLP
// projection) split their inputs (row-parallel) and end in an all-reduce.
bool column_parallel(const std::string& name) {
  return !(name == "out_proj" || name == "o_proj" || name == "fc2" || name == "down_proj");
}

ModelLayers from_preset(const ModelPreset& preset) {
  ModelLayers model{lower(preset.name), preset.layers, {}};
  ModelLayer qkv{"qkv", 0, 0, true};
  for (const auto& linear : preset.linears) {
    if (is_qkv(linear.name)) {
      qkv.m += linear.m;
      qkv.k = linear.k;
      continue;
    }
    if (qkv.m > 0 && model.layers.empty())
      model.layers.push_back(qkv); // qkv first, where the projections were
    model.layers.push_back({linear.name, linear.m, linear.k, column_parallel(linear.name)});
  }
  if (qkv.m > 0 && model.layers.empty())
    model.layers.push_back(qkv);
  return model;
}

const std::vector<ModelLayers>& all_models() {
  static const std::vector<ModelLayers> models = [] {
    std::vector<ModelLayers> out;
    for (const auto& preset : model_presets())
      out.push_back(from_preset(preset));
    return out;
  }();
  return models;
}

} // namespace

const ModelLayers& model_layers(std::string_view key) {
  const std::string wanted = lower(key);
  std::string known;
  for (const auto& m : all_models()) {
    if (m.key == wanted)
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
