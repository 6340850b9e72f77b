#include "kernels/knobs.hpp"

#include "common/error.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

namespace lutgemm {

std::string to_string(Combine combine) {
  switch (combine) {
  case Combine::none:
    return "none";
  case Combine::atomic:
    return "atomic";
  case Combine::reduce:
    return "reduce";
  }
  return "none";
}

Combine combine_from_string(const std::string& text) {
  if (text == "none")
    return Combine::none;
  if (text == "atomic")
    return Combine::atomic;
  if (text == "reduce")
    return Combine::reduce;
  throw UsageError(fmt::format("combine '{}' is not one of none, atomic, reduce", text));
}

const std::string& knob_text(const KnobValues& values, const std::string& name) {
  auto it = values.find(name);
  if (it == values.end())
    throw UsageError(fmt::format("knob '{}' has no value", name));
  return it->second;
}

int knob_int(const KnobValues& values, const std::string& name, const std::vector<Knob>& knobs) {
  const std::string& text = knob_text(values, name);
  for (const auto& knob : knobs) {
    if (knob.name != name)
      continue;
    if (std::find(knob.values.begin(), knob.values.end(), text) == knob.values.end()) {
      throw UsageError(
          fmt::format("knob {} = '{}' is not one of {}", name, text, fmt::join(knob.values, ", ")));
    }
  }
  int value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size())
    throw UsageError(fmt::format("knob {} = '{}' is not an integer", name, text));
  return value;
}

std::uint32_t elementwise_grid(long long n, int threads) {
  const long long blocks = (n + threads - 1) / threads;
  return static_cast<std::uint32_t>(std::clamp<long long>(blocks, 1, 4096));
}

} // namespace lutgemm
