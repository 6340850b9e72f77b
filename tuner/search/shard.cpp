#include "search/shard.hpp"

#include "common/error.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <numeric>

namespace lutgemm::search {
namespace {

bool parse_int(const std::string& text, int& value) {
  if (text.empty())
    return false;
  const auto* end = text.data() + text.size();
  auto [ptr, error] = std::from_chars(text.data(), end, value);
  return error == std::errc() && ptr == end;
}

} // namespace

std::string ShardSpec::text() const {
  return all() ? std::string() : fmt::format("{}/{}", index, count);
}

ShardSpec parse_shard(const std::string& text) {
  const auto slash = text.find('/');
  ShardSpec spec;
  if (slash == std::string::npos || !parse_int(text.substr(0, slash), spec.index) ||
      !parse_int(text.substr(slash + 1), spec.count)) {
    throw UsageError(
        fmt::format("--shard '{}' is not I/N (e.g. 0/4: the first of 4 shards)", text));
  }
  if (spec.count < 1 || spec.index < 0 || spec.index >= spec.count) {
    throw UsageError(fmt::format("--shard '{}' needs N >= 1 and 0 <= I < N", text));
  }
  return spec;
}

std::vector<int> assign_shards(const std::vector<ShardItem>& items, int count) {
  std::vector<int> shard(items.size(), 0);
  if (count <= 1)
    return shard;
  std::vector<std::int64_t> cost_ns(items.size());
  for (std::size_t i = 0; i < items.size(); ++i) {
    const double ns = std::isfinite(items[i].cost_us) ? items[i].cost_us * 1000.0 : 0.0;
    cost_ns[i] = std::max<std::int64_t>(1, std::llround(std::min(ns, 1e15)));
  }
  std::vector<std::size_t> order(items.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    if (cost_ns[a] != cost_ns[b])
      return cost_ns[a] > cost_ns[b];
    if (items[a].problem != items[b].problem)
      return items[a].problem < items[b].problem;
    return items[a].label < items[b].label;
  });
  std::vector<std::int64_t> load(static_cast<std::size_t>(count), 0);
  for (auto i : order) {
    const auto least = std::min_element(load.begin(), load.end()) - load.begin(); // lowest index
    shard[i] = static_cast<int>(least);
    load[static_cast<std::size_t>(least)] += cost_ns[i];
  }
  return shard;
}

} // namespace lutgemm::search
