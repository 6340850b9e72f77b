// `lutgemm shapes [--preset NAME] [--json]`: the model presets (tuner/problem/presets.hpp) with
// every linear layer of one decoder layer (M outputs x K inputs, as the GEMV sees it) and the
// number of decoder layers: the shapes `lutgemm tune --preset` and the end-to-end tables use.
#include "cli/command_registry.hpp"
#include "common/error.hpp"
#include "problem/presets.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <iostream>
#include <vector>

namespace {
using namespace lutgemm;

nlohmann::json to_json(const ModelPreset& preset) {
  nlohmann::json linears = nlohmann::json::array();
  for (const auto& l : preset.linears)
    linears.push_back(
        {{"name", l.name}, {"m", l.m}, {"k", l.k}, {"shape", fmt::format("{}x{}", l.m, l.k)}});
  return {{"name", preset.name},
          {"description", preset.description},
          {"layers", preset.layers},
          {"linears", linears},
          {"weights_per_layer", preset.weights_per_layer()},
          {"total_weights", preset.total_weights()}};
}

void print(const ModelPreset& preset) {
  fmt::print("{}: {} decoder layer{}, {:.3g}B linear weights ({})\n", preset.name, preset.layers,
             preset.layers == 1 ? "" : "s", static_cast<double>(preset.total_weights()) / 1e9,
             preset.description);
  for (const auto& l : preset.linears)
    fmt::print("  {:<10} {:>6} x {:<6} (M x K)\n", l.name, l.m, l.k);
}

class ShapesCommand final : public cli::Command {
public:
  void setup(CLI::App& app) override {
    app.add_option("--preset", preset_,
                   "Show one preset (case-insensitive), e.g. OPT-175B, LLaMA-7B, paper-table1");
    app.add_flag("--json", json_, "Print JSON");
  }

  int run() override {
    std::vector<const ModelPreset*> presets;
    if (!preset_.empty()) {
      presets.push_back(&find_preset(preset_)); // UsageError listing the names
    } else {
      for (const auto& p : model_presets())
        presets.push_back(&p);
    }
    if (json_) {
      nlohmann::json j = nlohmann::json::array();
      for (const auto* p : presets)
        j.push_back(to_json(*p));
      // One preset asked for: the object itself, so `jq .linears` works without indexing.
      std::cout << (preset_.empty() ? j : j.front()).dump(2) << "\n";
      return 0;
    }
    for (std::size_t i = 0; i < presets.size(); ++i) {
      if (i > 0)
        fmt::print("\n");
      print(*presets[i]);
    }
    return 0;
  }

private:
  std::string preset_;
  bool json_ = false;
};

const cli::Registration kRegistration{
    "shapes", "Model presets: every linear layer (M x K) and the number of decoder layers", 20,
    [] { return std::make_unique<ShapesCommand>(); }};
} // namespace
