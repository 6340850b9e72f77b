#include "space/search_space.hpp"

#include "common/error.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>

namespace lutgemm::space {

std::string to_string(const Value& value) {
  if (const auto* number = std::get_if<std::int64_t>(&value))
    return std::to_string(*number);
  return std::get<std::string>(value);
}

bool Variant::has(std::string_view name) const {
  return std::any_of(values_.begin(), values_.end(),
                     [&](const auto& entry) { return entry.first == name; });
}

const Value& Variant::get(std::string_view name) const {
  for (const auto& [key, value] : values_)
    if (key == name)
      return value;
  throw RuntimeError(fmt::format("variant '{}' has no parameter '{}'", label(), name));
}

std::int64_t Variant::get_int(std::string_view name) const {
  const auto& value = get(name);
  if (const auto* number = std::get_if<std::int64_t>(&value))
    return *number;
  throw RuntimeError(fmt::format("parameter '{}' of variant '{}' is not a number", name, label()));
}

const std::string& Variant::get_string(std::string_view name) const {
  const auto& value = get(name);
  if (const auto* text = std::get_if<std::string>(&value))
    return *text;
  throw RuntimeError(fmt::format("parameter '{}' of variant '{}' is not text", name, label()));
}

std::string Variant::label() const {
  std::string text;
  for (const auto& [name, value] : values_)
    text += fmt::format("{}{}={}", text.empty() ? "" : ",", name, to_string(value));
  return text;
}

std::string Variant::params_json() const {
  nlohmann::ordered_json json = nlohmann::ordered_json::object();
  for (const auto& [name, value] : values_) {
    if (const auto* number = std::get_if<std::int64_t>(&value))
      json[name] = *number;
    else
      json[name] = std::get<std::string>(value);
  }
  return json.dump();
}

Variant Variant::from_label(std::string_view label) {
  std::vector<std::pair<std::string, Value>> values;
  while (!label.empty()) {
    auto comma = label.find(',');
    auto item = label.substr(0, comma);
    auto eq = item.find('=');
    if (eq == std::string_view::npos || eq == 0)
      throw UsageError(fmt::format("variant label item '{}' is not name=value", item));
    auto name = item.substr(0, eq);
    auto text = item.substr(eq + 1);
    std::int64_t number = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
    if (ec == std::errc() && end == text.data() + text.size() && !text.empty())
      values.emplace_back(std::string(name), number);
    else
      values.emplace_back(std::string(name), std::string(text));
    if (comma == std::string_view::npos)
      break;
    label.remove_prefix(comma + 1);
  }
  return Variant(std::move(values));
}

SearchSpace& SearchSpace::add_parameter(std::string name, std::vector<Value> values,
                                        std::string help) {
  if (values.empty())
    throw RuntimeError(fmt::format("parameter '{}' of family '{}' has no values", name, family));
  parameters.push_back({std::move(name), std::move(values), std::move(help)});
  return *this;
}

SearchSpace& SearchSpace::add_constraint(std::string name, decltype(Constraint::check) check) {
  constraints.push_back({std::move(name), std::move(check)});
  return *this;
}

std::size_t SearchSpace::size() const {
  std::size_t total = parameters.empty() ? 0 : 1;
  for (const auto& parameter : parameters)
    total *= parameter.values.size();
  return total;
}

void SearchSpace::restrict(std::string_view name, const std::vector<std::string>& values) {
  auto it = std::find_if(parameters.begin(), parameters.end(),
                         [&](const Parameter& p) { return p.name == name; });
  if (it == parameters.end()) {
    std::string known;
    for (const auto& p : parameters)
      known += (known.empty() ? "" : ", ") + p.name;
    throw UsageError(
        fmt::format("unknown parameter '{}' of family '{}' (known: {})", name, family, known));
  }
  std::vector<Value> kept;
  for (const auto& text : values) {
    auto match = std::find_if(it->values.begin(), it->values.end(),
                              [&](const Value& v) { return to_string(v) == text; });
    if (match == it->values.end()) {
      std::string allowed;
      for (const auto& v : it->values)
        allowed += (allowed.empty() ? "" : ", ") + to_string(v);
      throw UsageError(fmt::format("value '{}' is not in the list of parameter '{}' (allowed: {})",
                                   text, name, allowed));
    }
    kept.push_back(*match);
  }
  it->values = std::move(kept);
}

Enumeration enumerate(const SearchSpace& space, const Problem& problem, Rejections rejections) {
  Enumeration result;
  result.total = space.size();
  if (result.total == 0)
    return result;
  std::vector<std::size_t> index(space.parameters.size(), 0);
  for (std::size_t n = 0; n < result.total; ++n) {
    std::vector<std::pair<std::string, Value>> values;
    values.reserve(space.parameters.size());
    for (std::size_t p = 0; p < space.parameters.size(); ++p)
      values.emplace_back(space.parameters[p].name, space.parameters[p].values[index[p]]);
    Variant variant(std::move(values));
    bool accepted = true;
    for (const auto& constraint : space.constraints) {
      if (auto reason = constraint.check(variant, problem)) {
        ++result.rejected_by_rule["constraint:" + constraint.name];
        if (rejections == Rejections::kept)
          result.rejected.push_back({variant, "constraint", constraint.name, *reason});
        accepted = false;
        break;
      }
    }
    if (accepted)
      result.accepted.push_back(std::move(variant));
    // Odometer increment: the last parameter varies fastest.
    for (std::size_t p = space.parameters.size(); p-- > 0;) {
      if (++index[p] < space.parameters[p].values.size())
        break;
      index[p] = 0;
    }
  }
  return result;
}

} // namespace lutgemm::space
