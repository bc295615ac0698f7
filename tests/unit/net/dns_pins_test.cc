#include "net/dns_pins.h"

#include <gtest/gtest.h>

#include "test_frames.h"

namespace msb::net {
namespace {

using std::chrono::seconds;
using Names = std::vector<std::string>;

const std::chrono::steady_clock::time_point kStart{std::chrono::hours(1000)};

TEST(DnsPins, NamesLiveForTheirTtl) {
  DnsPins pins;
  pins.add(test::ip("192.0.2.1"), "api.example.com", 120, kStart);
  EXPECT_EQ(pins.names_for(test::ip("192.0.2.1"), kStart), Names{"api.example.com"});
  EXPECT_EQ(pins.names_for(test::ip("192.0.2.1"), kStart + seconds(119)), Names{"api.example.com"});
  EXPECT_TRUE(pins.names_for(test::ip("192.0.2.1"), kStart + seconds(120)).empty());
  EXPECT_TRUE(pins.names_for(test::ip("192.0.2.2"), kStart).empty());
}

TEST(DnsPins, ShortTtlsLastTheMinimum) {
  DnsPins pins(16, seconds(30));
  pins.add(test::ip("192.0.2.1"), "zero.example", 0, kStart);
  EXPECT_EQ(pins.names_for(test::ip("192.0.2.1"), kStart + seconds(29)), Names{"zero.example"});
  EXPECT_TRUE(pins.names_for(test::ip("192.0.2.1"), kStart + seconds(30)).empty());
}

TEST(DnsPins, LongTtlsAreCappedAtADay) {
  DnsPins pins;
  pins.add(test::ip("192.0.2.1"), "long.example", 0x7fffffff, kStart);
  EXPECT_FALSE(pins.names_for(test::ip("192.0.2.1"), kStart + std::chrono::hours(23)).empty());
  EXPECT_TRUE(pins.names_for(test::ip("192.0.2.1"), kStart + std::chrono::hours(24)).empty());
}

TEST(DnsPins, ReAddingRefreshesTheExpiry) {
  DnsPins pins;
  pins.add(test::ip("192.0.2.1"), "a.example", 60, kStart);
  pins.add(test::ip("192.0.2.1"), "a.example", 60, kStart + seconds(50));
  EXPECT_EQ(pins.size(), 1u);
  EXPECT_EQ(pins.names_for(test::ip("192.0.2.1"), kStart + seconds(100)), Names{"a.example"});
  // A shorter TTL later never cuts a pin short.
  pins.add(test::ip("192.0.2.1"), "a.example", 0, kStart + seconds(60));
  EXPECT_EQ(pins.names_for(test::ip("192.0.2.1"), kStart + seconds(100)), Names{"a.example"});
  EXPECT_TRUE(pins.names_for(test::ip("192.0.2.1"), kStart + seconds(110)).empty());
}

TEST(DnsPins, HoldsSeveralNamesPerAddressAndCanonicalizesThem) {
  DnsPins pins;
  // A CNAME chain: the caller pins the address under each owner.
  pins.add(test::ip("192.0.2.1"), "WWW.Example.com.", 300, kStart);
  pins.add(test::ip("192.0.2.1"), "edge.cdn.net", 300, kStart);
  pins.add(test::ip("192.0.2.10"), "other.example", 300, kStart);
  EXPECT_EQ(pins.names_for(test::ip("192.0.2.1"), kStart),
            (Names{"edge.cdn.net", "www.example.com"}));
}

TEST(DnsPins, ComparesMappedAddressesAsV4) {
  DnsPins pins;
  pins.add(test::ip("::ffff:192.0.2.1"), "mapped.example", 60, kStart);
  EXPECT_EQ(pins.names_for(test::ip("192.0.2.1"), kStart), Names{"mapped.example"});
  pins.add(test::ip("192.0.2.7"), "plain.example", 60, kStart);
  EXPECT_EQ(pins.names_for(test::ip("::ffff:192.0.2.7"), kStart), Names{"plain.example"});
  EXPECT_TRUE(pins.names_for(test::ip("::192.0.2.7"), kStart).empty());
}

TEST(DnsPins, EvictsTheSoonestExpiringAtCapacity) {
  DnsPins pins(3, seconds(0));
  pins.add(test::ip("192.0.2.1"), "long.example", 300, kStart);
  pins.add(test::ip("192.0.2.2"), "short.example", 10, kStart);
  pins.add(test::ip("192.0.2.3"), "middle.example", 100, kStart);
  pins.add(test::ip("192.0.2.4"), "new.example", 200, kStart);
  EXPECT_EQ(pins.size(), 3u);
  EXPECT_TRUE(pins.names_for(test::ip("192.0.2.2"), kStart).empty());
  EXPECT_EQ(pins.names_for(test::ip("192.0.2.1"), kStart), Names{"long.example"});
  EXPECT_EQ(pins.names_for(test::ip("192.0.2.4"), kStart), Names{"new.example"});
}

TEST(DnsPins, DropsExpiredPinsFirstAtCapacity) {
  DnsPins pins(2, seconds(0));
  pins.add(test::ip("192.0.2.1"), "a.example", 10, kStart);
  pins.add(test::ip("192.0.2.2"), "b.example", 20, kStart);
  pins.add(test::ip("192.0.2.3"), "c.example", 5, kStart + seconds(15));
  EXPECT_EQ(pins.size(), 2u);
  EXPECT_EQ(pins.names_for(test::ip("192.0.2.2"), kStart + seconds(15)), Names{"b.example"});
  EXPECT_EQ(pins.names_for(test::ip("192.0.2.3"), kStart + seconds(15)), Names{"c.example"});
}

TEST(DnsPins, ExpireDropsOnlyExpiredPins) {
  DnsPins pins(16, seconds(0));
  pins.add(test::ip("192.0.2.1"), "a.example", 10, kStart);
  pins.add(test::ip("192.0.2.1"), "b.example", 20, kStart);
  pins.expire(kStart + seconds(10));
  EXPECT_EQ(pins.size(), 1u);
  EXPECT_EQ(pins.names_for(test::ip("192.0.2.1"), kStart + seconds(10)), Names{"b.example"});
  pins.expire(kStart + seconds(20));
  EXPECT_EQ(pins.size(), 0u);
}

TEST(DnsPins, ZeroCapacityPinsNothing) {
  DnsPins pins(0);
  pins.add(test::ip("192.0.2.1"), "a.example", 10, kStart);
  EXPECT_EQ(pins.size(), 0u);
}

}  // namespace
}  // namespace msb::net
