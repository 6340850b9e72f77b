#include "space/search_space.hpp"

#include "common/error.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <limits>

namespace lutgemm::space {

std::string to_string(const Value& value) {
  if (const auto* number = std::get_if<std::int64_t>(&value))
    return std::to_string(*number);
  return std::get<std::string>(value);
}

namespace {

// A layout of one point: every parameter with its one value.
std::shared_ptr<const Variant::Layout> layout_of(const Variant::Pairs& values) {
  auto layout = std::make_shared<Variant::Layout>();
  for (const auto& [name, value] : values) {
    layout->names.push_back(name);
    layout->values.push_back({value});
  }
  return layout;
}

} // namespace

Variant::Variant(Pairs values) : layout_(layout_of(values)), index_(values.size(), 0) {}

Variant::Variant(std::shared_ptr<const Layout> layout, std::vector<std::uint16_t> index)
    : layout_(std::move(layout)), index_(std::move(index)) {
  if (index_.size() != layout_->names.size())
    throw RuntimeError(fmt::format("a point of {} values in a layout of {} parameters",
                                   index_.size(), layout_->names.size()));
}

bool Variant::has(std::string_view name) const {
  for (std::size_t i = 0; i < size(); ++i)
    if (this->name(i) == name)
      return true;
  return false;
}

const Value& Variant::get(std::string_view name) const {
  for (std::size_t i = 0; i < size(); ++i)
    if (this->name(i) == name)
      return value(i);
  throw RuntimeError(fmt::format("variant '{}' has no parameter '{}'", label(), name));
}

Variant::Pairs Variant::values() const {
  Pairs pairs;
  pairs.reserve(size());
  for (std::size_t i = 0; i < size(); ++i)
    pairs.emplace_back(name(i), value(i));
  return pairs;
}

bool operator==(const Variant& a, const Variant& b) {
  if (a.layout_ == b.layout_)
    return a.index_ == b.index_;
  if (a.size() != b.size())
    return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (a.name(i) != b.name(i) || a.value(i) != b.value(i))
      return false;
  return true;
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
  for (std::size_t i = 0; i < size(); ++i)
    text += fmt::format("{}{}={}", text.empty() ? "" : ",", name(i), to_string(value(i)));
  return text;
}

std::string Variant::params_json() const {
  nlohmann::ordered_json json = nlohmann::ordered_json::object();
  for (std::size_t i = 0; i < size(); ++i) {
    if (const auto* number = std::get_if<std::int64_t>(&value(i)))
      json[name(i)] = *number;
    else
      json[name(i)] = std::get<std::string>(value(i));
  }
  return json.dump();
}

Variant Variant::from_label(std::string_view label) {
  Pairs values;
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
  // One layout for all points: each point keeps only its value indices.
  auto layout = std::make_shared<Variant::Layout>();
  for (const auto& parameter : space.parameters) {
    if (parameter.values.size() > std::numeric_limits<std::uint16_t>::max())
      throw RuntimeError(fmt::format("parameter '{}' of family '{}' has {} values (at most {})",
                                     parameter.name, space.family, parameter.values.size(),
                                     std::numeric_limits<std::uint16_t>::max()));
    layout->names.push_back(parameter.name);
    layout->values.push_back(parameter.values);
  }
  std::vector<std::uint16_t> index(space.parameters.size(), 0);
  for (std::size_t n = 0; n < result.total; ++n) {
    Variant variant(layout, index);
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
