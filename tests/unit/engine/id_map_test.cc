#include "engine/ns/id_map.h"

#include <gtest/gtest.h>

namespace msb::engine::ns {
namespace {

TEST(ParseSubidRange, FindsTheUsersEntry) {
  std::optional<IdRange> range =
      parse_subid_range("alice:100000:65536\nroot:200000:65536\nbob:300000:65536\n", "root");
  ASSERT_TRUE(range.has_value());
  EXPECT_EQ(range->base, 200000u);
  EXPECT_EQ(range->count, 65536u);
}

TEST(ParseSubidRange, SkipsRangesThatCannotHoldAnImage) {
  // Too small, mapping to host root, malformed, overflowing: the next good one wins.
  std::optional<IdRange> range = parse_subid_range(
      "root:100000:1000\nroot:0:65536\nroot:x:65536\nroot:4294967000:65536\nroot:500000:70000",
      "root");
  ASSERT_TRUE(range.has_value());
  EXPECT_EQ(range->base, 500000u);
  EXPECT_EQ(range->count, 70000u);
}

TEST(ParseSubidRange, NothingForOtherUsersOrGarbage) {
  EXPECT_FALSE(parse_subid_range("rooty:100000:65536\n", "root").has_value());
  EXPECT_FALSE(parse_subid_range("", "root").has_value());
  EXPECT_FALSE(parse_subid_range("root\nroot:\nroot:1:\n:::\n", "root").has_value());
}

TEST(IdMapLine, MapsRootToTheRangeBase) {
  EXPECT_EQ(id_map_line({100000, 65536}), "0 100000 65536\n");
}

}  // namespace
}  // namespace msb::engine::ns
