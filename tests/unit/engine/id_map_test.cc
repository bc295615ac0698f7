#include "engine/id_map.h"

#include <gtest/gtest.h>

namespace msb::engine {
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

TEST(VolumeIdMaps, GuestRootIsTheOwnerAndTheRestIsTheSandboxRange) {
  EXPECT_EQ(*volume_server_id_map(1000, {100000, 65536}), "0 1000 1\n1 100001 65535\n");
  EXPECT_EQ(*volume_mount_id_map(1000, {100000, 65536}), "1000 100000 1\n100001 100001 65535\n");
  // Host root and the range's own base are outside the overlapping part.
  EXPECT_EQ(*volume_server_id_map(0, {100000, 65536}), "0 0 1\n1 100001 65535\n");
  EXPECT_TRUE(volume_mount_id_map(100000, {100000, 65536}).has_value());
}

TEST(VolumeIdMaps, AnOwnerInsideTheSandboxRangeIsRefused) {
  for (uint32_t owner : {100001u, 165535u}) {
    Result<std::string> map = volume_mount_id_map(owner, {100000, 65536});
    ASSERT_FALSE(map.has_value());
    EXPECT_EQ(map.error().kind, ErrorKind::kInvalidConfig);
    EXPECT_NE(map.error().message.find("inside the sandboxes' id range"), std::string::npos);
    EXPECT_FALSE(volume_server_id_map(owner, {100000, 65536}).has_value());
  }
  EXPECT_TRUE(volume_mount_id_map(165536, {100000, 65536}).has_value());
}

}  // namespace
}  // namespace msb::engine
