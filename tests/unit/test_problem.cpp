#include "problem/problem.hpp"

#include "common/error.hpp"

#include <gtest/gtest.h>

using namespace lutgemm;

TEST(Problem, ValidProblemPasses) {
  Problem p{.m = 49152, .k = 12288, .batch = 1, .bits = 3, .group = 128};
  EXPECT_NO_THROW(validate(p));
  EXPECT_EQ(p.groups_per_row(), 96);
  EXPECT_EQ(to_string(p), "49152x12288 b1 q3 g128");
}

TEST(Problem, RowWiseGroupIsK) {
  Problem p{.m = 8, .k = 64, .batch = 1, .bits = 2, .group = kRowWise};
  EXPECT_NO_THROW(validate(p));
  EXPECT_EQ(p.group_size(), 64);
  EXPECT_EQ(p.groups_per_row(), 1);
}

TEST(Problem, BadValuesAreUsageErrors) {
  const Problem good{.m = 64, .k = 256, .batch = 1, .bits = 3, .group = 128};
  auto with = [&](auto mutate) {
    Problem p = good;
    mutate(p);
    return p;
  };
  EXPECT_THROW(validate(with([](Problem& p) { p.m = 0; })), UsageError);
  EXPECT_THROW(validate(with([](Problem& p) { p.k = 100; })), UsageError);
  EXPECT_THROW(validate(with([](Problem& p) { p.bits = 0; })), UsageError);
  EXPECT_THROW(validate(with([](Problem& p) { p.bits = 9; })), UsageError);
  EXPECT_THROW(validate(with([](Problem& p) { p.batch = 33; })), UsageError);
  EXPECT_THROW(validate(with([](Problem& p) { p.group = 96; })), UsageError); // 256 % 96 != 0
  EXPECT_THROW(validate(with([](Problem& p) { p.group = 48; })), UsageError); // not x32
}

TEST(Problem, ParsesShapesAndGroups) {
  std::int64_t m = 0, k = 0;
  parse_shape("28672x7168", m, k);
  EXPECT_EQ(m, 28672);
  EXPECT_EQ(k, 7168);
  EXPECT_THROW(parse_shape("28672", m, k), UsageError);
  EXPECT_THROW(parse_shape("-1x64", m, k), UsageError);
  EXPECT_THROW(parse_shape("12x", m, k), UsageError);
  EXPECT_EQ(parse_group("row"), kRowWise);
  EXPECT_EQ(parse_group("128"), 128);
  EXPECT_THROW(parse_group("abc"), UsageError);
}
