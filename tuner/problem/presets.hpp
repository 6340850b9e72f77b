#pragma once
// Model presets: every linear layer of one decoder layer (M outputs x K inputs, as the GEMV sees
// it) and the number of decoder layers. End-to-end estimates sum per-layer latencies over these.
// Embeddings and the LM head are not included (the paper's kernels replace decoder linears).
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace lutgemm {

struct LinearLayer {
  std::string name;   // e.g. "fc1", "q_proj"
  std::int64_t m = 0; // output features
  std::int64_t k = 0; // input features
};

struct ModelPreset {
  std::string name;                 // e.g. "OPT-175B"
  std::string description;          // hidden size, MLP size, heads, where the shapes come from
  int layers = 0;                   // decoder layers (1 for single-layer presets)
  std::vector<LinearLayer> linears; // one decoder layer's linears

  std::int64_t weights_per_layer() const;
  std::int64_t total_weights() const { return weights_per_layer() * layers; }
};

// All presets, in a stable order: OPT-125M ... OPT-175B, LLaMA-7B ... LLaMA-65B, LLaMA-2-70B,
// paper-table1 (49152 x 12288) and lutgemm-test (28672 x 7168, the original repository's test).
const std::vector<ModelPreset>& model_presets();

// Case-insensitive lookup. Throws UsageError listing the known names.
const ModelPreset& find_preset(std::string_view name);

} // namespace lutgemm
