// `tune --devices LIST`: lists, counts and 'all' resolve to ordinals; the bad ones are refused.
// `tune --shard I/N`: the split of the work is a partition (every item in exactly one shard) for
// N = 1..16, does not depend on the order the items come in, balances the predicted cost, and bad
// I/N texts are refused naming the value.
#include "common/error.hpp"
#include "search/device_list.hpp"
#include "search/shard.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <set>

using namespace lutgemm;
using namespace lutgemm::search;

namespace {

std::vector<ShardItem> work(std::size_t count, unsigned seed) {
  std::mt19937 random(seed);
  std::uniform_real_distribution<double> cost(0.5, 400.0);
  std::vector<ShardItem> items;
  for (std::size_t i = 0; i < count; ++i) {
    // Some ties and some unknown costs on purpose.
    const double c = i % 7 == 0 ? 0.0 : i % 5 == 0 ? 12.5 : cost(random);
    items.push_back({"m" + std::to_string(i % 3) + "k4096", "v" + std::to_string(i), c});
  }
  return items;
}

} // namespace

TEST(Shard, PartitionsCoverTheWorkOnceAndDoNotDependOnInputOrder) {
  const auto items = work(300, 7);
  for (int n = 1; n <= 16; ++n) {
    const auto shard = assign_shards(items, n);
    ASSERT_EQ(shard.size(), items.size());
    std::map<int, std::set<std::string>> parts;
    std::map<int, double> load;
    for (std::size_t i = 0; i < items.size(); ++i) {
      ASSERT_GE(shard[i], 0);
      ASSERT_LT(shard[i], n);
      const auto key = items[i].problem + "/" + items[i].label;
      for (const auto& [other, part] : parts)
        EXPECT_EQ(part.count(key), 0u) << key << " in shards " << other << " and " << shard[i];
      parts[shard[i]].insert(key);
      load[shard[i]] += std::max(items[i].cost_us, 0.001);
    }
    std::size_t covered = 0;
    for (const auto& [index, part] : parts)
      covered += part.size();
    EXPECT_EQ(covered, items.size()) << n;
    EXPECT_EQ(static_cast<int>(parts.size()), n) << "every shard has work when items >= N";
    // Longest-first greedy: no shard exceeds another by more than the largest item.
    double largest = 0, low = 1e300, high = 0;
    for (const auto& item : items)
      largest = std::max(largest, item.cost_us);
    for (const auto& [index, l] : load) {
      low = std::min(low, l);
      high = std::max(high, l);
    }
    EXPECT_LE(high - low, largest + 1e-6) << n;

    // The same work listed in another order gets the same split, item for item.
    auto shuffled = items;
    std::shuffle(shuffled.begin(), shuffled.end(), std::mt19937(n));
    const auto again = assign_shards(shuffled, n);
    std::map<std::string, int> by_key;
    for (std::size_t i = 0; i < items.size(); ++i)
      by_key[items[i].problem + "/" + items[i].label] = shard[i];
    for (std::size_t i = 0; i < shuffled.size(); ++i)
      EXPECT_EQ(again[i], by_key.at(shuffled[i].problem + "/" + shuffled[i].label));
  }
}

TEST(Shard, ParsesIOverNAndRefusesTheRest) {
  EXPECT_EQ(parse_shard("0/1").text(), "");
  EXPECT_EQ(parse_shard("3/4").text(), "3/4");
  EXPECT_EQ(parse_shard("0/16").index, 0);
  for (const char* bad : {"4/4", "-1/4", "1/0", "0/-2", "1", "a/b", "1/2/3", "/4", "1/", " 1/2"}) {
    try {
      parse_shard(bad);
      ADD_FAILURE() << bad << " was accepted";
    } catch (const UsageError& e) {
      EXPECT_NE(std::string(e.what()).find(std::string("'") + bad + "'"), std::string::npos)
          << e.what();
    }
  }
}

TEST(DeviceList, ResolvesListsCountsAndAll) {
  EXPECT_EQ(parse_device_list("0,1,2,3", false, 4), (std::vector<int>{0, 1, 2, 3}));
  EXPECT_EQ(parse_device_list("2,0", false, 4), (std::vector<int>{2, 0}));
  EXPECT_EQ(parse_device_list("1", false, 2), (std::vector<int>{1})); // cuda: device 1
  EXPECT_EQ(parse_device_list("all", false, 3), (std::vector<int>{0, 1, 2}));
  EXPECT_EQ(parse_device_list("3", true, 0), (std::vector<int>{0, 1, 2})); // emu: 3 workers
  EXPECT_EQ(parse_device_list("0,5", true, 0), (std::vector<int>{0, 5}));
}

TEST(DeviceList, RefusesBadListsNamingTheProblem) {
  struct Case {
    const char* text;
    bool emu;
    int count;
    const char* mentions;
  };
  for (const auto& c :
       {Case{"0,0", false, 4, "twice"}, Case{"1,2,1", true, 0, "twice"},
        Case{"-1", false, 4, "negative"}, Case{"0,-2", true, 0, "negative"},
        Case{"4", false, 4, "does not exist"}, Case{"0,9", false, 2, "9"},
        Case{"all", false, 0, "no CUDA device"}, Case{"all", true, 0, "emu"},
        Case{"0", true, 0, "workers"}, Case{"x", false, 2, "'x'"}, Case{"0,,1", false, 2, "''"},
        Case{"", true, 0, "''"}, Case{"1.5", true, 0, "1.5"}, Case{"1000", true, 0, "workers"}}) {
    try {
      parse_device_list(c.text, c.emu, c.count);
      ADD_FAILURE() << c.text << " was accepted";
    } catch (const UsageError& e) {
      EXPECT_NE(std::string(e.what()).find(c.mentions), std::string::npos)
          << c.text << ": " << e.what();
    }
  }
}
