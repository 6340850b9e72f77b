#include "search/device_list.hpp"

#include "common/error.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace lutgemm::search {
namespace {

// At most this many workers: a typo (--devices 1000) must not fork a thousand tuners.
constexpr int kMaxWorkers = 64;

int parse_ordinal(const std::string& text, const std::string& item) {
  if (!item.empty() && item.front() == '-')
    throw UsageError(fmt::format("--devices '{}': '{}' is negative", text, item));
  if (item.empty() || item.size() > 4 ||
      !std::all_of(item.begin(), item.end(), [](unsigned char c) { return std::isdigit(c); }))
    throw UsageError(fmt::format("--devices '{}': '{}' is not a device number (give 'all' or a "
                                 "list such as 0,1,2,3)",
                                 text, item));
  return std::stoi(item);
}

} // namespace

std::vector<int> parse_device_list(const std::string& text, bool emu, int device_count) {
  if (text == "all") {
    if (emu)
      throw UsageError("--devices all: the emu backend has no devices; give a number of emulator "
                       "workers (--devices 2) or a list");
    if (device_count <= 0)
      throw UsageError("--devices all: this node has no CUDA device");
    std::vector<int> all(static_cast<std::size_t>(device_count));
    for (int i = 0; i < device_count; ++i)
      all[static_cast<std::size_t>(i)] = i;
    return all;
  }
  std::vector<std::string> items;
  std::string item;
  for (char c : text + ",") {
    if (c != ',') {
      item += c;
      continue;
    }
    items.push_back(item);
    item.clear();
  }
  std::vector<int> ordinals;
  for (const auto& i : items)
    ordinals.push_back(parse_ordinal(text, i));
  if (emu && ordinals.size() == 1) { // a bare count of emulator workers
    const int count = ordinals.front();
    if (count < 1 || count > kMaxWorkers)
      throw UsageError(
          fmt::format("--devices {}: give 1 to {} emulator workers", text, kMaxWorkers));
    ordinals.clear();
    for (int i = 0; i < count; ++i)
      ordinals.push_back(i);
    return ordinals;
  }
  if (ordinals.size() > static_cast<std::size_t>(kMaxWorkers))
    throw UsageError(fmt::format("--devices '{}': more than {} workers", text, kMaxWorkers));
  for (std::size_t i = 0; i < ordinals.size(); ++i) {
    if (std::find(ordinals.begin(), ordinals.begin() + static_cast<long>(i), ordinals[i]) !=
        ordinals.begin() + static_cast<long>(i))
      throw UsageError(fmt::format("--devices '{}': device {} is listed twice", text, ordinals[i]));
    if (!emu && ordinals[i] >= device_count)
      throw UsageError(fmt::format("--devices '{}': device {} does not exist (this node has {} "
                                   "CUDA device{}: 0..{})",
                                   text, ordinals[i], device_count, device_count == 1 ? "" : "s",
                                   device_count - 1));
  }
  return ordinals;
}

} // namespace lutgemm::search
