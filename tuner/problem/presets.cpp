#include "problem/presets.hpp"

#include "common/error.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <numeric>

namespace lutgemm {
namespace {

// OPT (Zhang et al. 2022, HF configs): separate q/k/v/out projections of hidden x hidden, then
// fc1 (ffn x hidden) and fc2 (hidden x ffn), ffn = 4 * hidden.
ModelPreset opt(std::string name, std::int64_t hidden, int heads, int layers) {
  const std::int64_t ffn = 4 * hidden;
  return {std::move(name),
          fmt::format("OPT: hidden {}, FFN {}, {} heads; q/k/v/out projections, fc1, fc2", hidden,
                      ffn, heads),
          layers,
          {{"q_proj", hidden, hidden},
           {"k_proj", hidden, hidden},
           {"v_proj", hidden, hidden},
           {"out_proj", hidden, hidden},
           {"fc1", ffn, hidden},
           {"fc2", hidden, ffn}}};
}

// LLaMA (Touvron et al. 2023): q/k/v/o projections, SwiGLU MLP gate/up (mlp x hidden) and down
// (hidden x mlp). kv_dim < hidden with grouped-query attention (LLaMA-2-70B: 8 KV heads of 128).
ModelPreset llama(std::string name, std::int64_t hidden, std::int64_t mlp, int heads, int layers,
                  std::int64_t kv_dim) {
  return {std::move(name),
          fmt::format("LLaMA: hidden {}, MLP {}, {} heads{}; q/k/v/o, gate/up/down", hidden, mlp,
                      heads, kv_dim == hidden ? "" : fmt::format(", GQA k/v {}", kv_dim)),
          layers,
          {{"q_proj", hidden, hidden},
           {"k_proj", kv_dim, hidden},
           {"v_proj", kv_dim, hidden},
           {"o_proj", hidden, hidden},
           {"gate_proj", mlp, hidden},
           {"up_proj", mlp, hidden},
           {"down_proj", hidden, mlp}}};
}

std::vector<ModelPreset> build() {
  std::vector<ModelPreset> presets{
      opt("OPT-125M", 768, 12, 12),
      opt("OPT-350M", 1024, 16, 24),
      opt("OPT-1.3B", 2048, 32, 24),
      opt("OPT-2.7B", 2560, 32, 32),
      opt("OPT-6.7B", 4096, 32, 32),
      opt("OPT-13B", 5120, 40, 40),
      opt("OPT-30B", 7168, 56, 48),
      opt("OPT-66B", 9216, 72, 64),
      opt("OPT-175B", 12288, 96, 96),
      llama("LLaMA-7B", 4096, 11008, 32, 32, 4096),
      llama("LLaMA-13B", 5120, 13824, 40, 40, 5120),
      llama("LLaMA-30B", 6656, 17920, 52, 60, 6656),
      llama("LLaMA-65B", 8192, 22016, 64, 80, 8192),
      llama("LLaMA-2-70B", 8192, 28672, 64, 80, 1024),
  };
  presets.push_back({"paper-table1",
                     "The paper's Table 1 layer: OPT-175B's first FFN (4m x m, m = 12288)",
                     1,
                     {{"fc1", 49152, 12288}}});
  presets.push_back({"lutgemm-test",
                     "The layer the original LUT-GEMM repository tests with (28672 x 7168)",
                     1,
                     {{"test", 28672, 7168}}});
  return presets;
}

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

} // namespace

std::int64_t ModelPreset::weights_per_layer() const {
  return std::accumulate(linears.begin(), linears.end(), std::int64_t{0},
                         [](std::int64_t sum, const LinearLayer& l) { return sum + l.m * l.k; });
}

const std::vector<ModelPreset>& model_presets() {
  static const std::vector<ModelPreset> presets = build();
  return presets;
}

const ModelPreset& find_preset(std::string_view name) {
  const auto wanted = lower(name);
  for (const auto& preset : model_presets())
    if (lower(preset.name) == wanted)
      return preset;
  std::vector<std::string> names;
  for (const auto& preset : model_presets())
    names.push_back(preset.name);
  throw UsageError(
      fmt::format("unknown preset '{}'; known presets: {}", name, fmt::join(names, ", ")));
}

} // namespace lutgemm
