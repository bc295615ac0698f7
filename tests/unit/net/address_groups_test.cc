#include "net/address_groups.h"

#include <gtest/gtest.h>

namespace msb::net {
namespace {

IpAddress ip(std::string_view text) {
  Result<IpAddress> address = IpAddress::parse(text);
  EXPECT_TRUE(address.has_value()) << text;
  return address.value_or(IpAddress{});
}

const HostAddresses kHost{{ip("172.16.0.1"), ip("fd42:6d73:62::1")}};

std::optional<Group> group_of(std::string_view text) { return classify(ip(text), kHost); }

struct Case {
  const char* address;
  std::optional<Group> group;
};

void expect_groups(const std::vector<Case>& cases) {
  for (const Case& c : cases) {
    EXPECT_EQ(group_of(c.address), c.group)
        << c.address << " is "
        << (group_of(c.address) ? group_name(*group_of(c.address)) : "special");
  }
}

TEST(AddressGroups, PrivateV4BoundariesAreExact) {
  expect_groups({{"9.255.255.255", Group::kPublic},
                 {"10.0.0.0", Group::kPrivate},
                 {"10.255.255.255", Group::kPrivate},
                 {"11.0.0.0", Group::kPublic},
                 {"172.15.255.255", Group::kPublic},
                 {"172.16.0.0", Group::kPrivate},
                 {"172.31.255.255", Group::kPrivate},
                 {"172.32.0.0", Group::kPublic},
                 {"192.167.255.255", Group::kPublic},
                 {"192.168.0.0", Group::kPrivate},
                 {"192.168.255.255", Group::kPrivate},
                 {"192.169.0.0", Group::kPublic},
                 {"100.63.255.255", Group::kPublic},
                 {"100.64.0.0", Group::kPrivate},
                 {"100.127.255.255", Group::kPrivate},
                 {"100.128.0.0", Group::kPublic}});
}

TEST(AddressGroups, LoopbackLinkLocalAndMulticastV4Boundaries) {
  expect_groups({{"126.255.255.255", Group::kPublic},
                 {"127.0.0.0", Group::kLoopback},
                 {"127.255.255.255", Group::kLoopback},
                 {"128.0.0.0", Group::kPublic},
                 {"169.253.255.255", Group::kPublic},
                 {"169.254.0.0", Group::kLinkLocal},
                 {"169.254.169.253", Group::kLinkLocal},
                 {"169.254.169.255", Group::kLinkLocal},
                 {"169.254.255.255", Group::kLinkLocal},
                 {"169.255.0.0", Group::kPublic},
                 {"223.255.255.255", Group::kPublic},
                 {"224.0.0.0", Group::kMulticast},
                 {"239.255.255.255", Group::kMulticast}});
}

TEST(AddressGroups, MetaWinsOverLinkLocalAndPrivate) {
  expect_groups({{"169.254.169.254", Group::kMeta},
                 {"fd00:ec2::254", Group::kMeta},
                 {"fd00:ec2::253", Group::kPrivate},
                 {"fd00:ec2::255", Group::kPrivate}});
  EXPECT_FALSE(in_group(Group::kLinkLocal, ip("169.254.169.254"), kHost));
  EXPECT_FALSE(in_group(Group::kPrivate, ip("fd00:ec2::254"), kHost));
  EXPECT_TRUE(in_group(Group::kMeta, ip("169.254.169.254"), kHost));
}

TEST(AddressGroups, V6Ranges) {
  expect_groups({{"::1", Group::kLoopback},
                 {"::2", std::nullopt},
                 {"::", std::nullopt},
                 {"fbff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", Group::kPublic},
                 {"fc00::", Group::kPrivate},
                 {"fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", Group::kPrivate},
                 {"fe00::", Group::kPublic},
                 {"fe7f:ffff:ffff:ffff:ffff:ffff:ffff:ffff", Group::kPublic},
                 {"fe80::", Group::kLinkLocal},
                 {"febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff", Group::kLinkLocal},
                 {"fec0::1", std::nullopt},
                 {"ff00::", Group::kMulticast},
                 {"ff02::1", Group::kMulticast},
                 {"2606:4700::1111", Group::kPublic}});
}

TEST(AddressGroups, SpecialRangesAreNotPublic) {
  expect_groups({{"0.0.0.0", std::nullopt},         {"0.255.255.255", std::nullopt},
                 {"1.0.0.0", Group::kPublic},       {"192.0.0.1", std::nullopt},
                 {"192.0.2.1", Group::kPublic},     {"192.0.3.0", Group::kPublic},
                 {"192.88.99.1", std::nullopt},     {"198.17.255.255", Group::kPublic},
                 {"198.18.0.0", std::nullopt},      {"198.19.255.255", std::nullopt},
                 {"198.20.0.0", Group::kPublic},    {"198.51.100.7", Group::kPublic},
                 {"203.0.113.9", Group::kPublic},   {"240.0.0.0", std::nullopt},
                 {"255.255.255.255", std::nullopt}, {"2001:db8::1", Group::kPublic},
                 {"2001:2::1", std::nullopt},       {"100::1", std::nullopt},
                 {"3fff::1", Group::kPublic},       {"64:ff9b::a00:1", std::nullopt},
                 {"64:ff9b:1::1", std::nullopt},    {"2002:a00:1::1", std::nullopt}});
  EXPECT_FALSE(in_group(Group::kPublic, ip("0.0.0.0"), kHost));
  EXPECT_TRUE(in_group(Group::kAny, ip("0.0.0.0"), kHost));
}

TEST(AddressGroups, MappedV6IsClassifiedAsItsV4Address) {
  expect_groups({{"::ffff:169.254.169.254", Group::kMeta},
                 {"::ffff:127.0.0.1", Group::kLoopback},
                 {"::ffff:10.1.2.3", Group::kPrivate},
                 {"::ffff:8.8.8.8", Group::kPublic},
                 {"::ffff:172.16.0.1", Group::kHost}});
}

TEST(AddressGroups, HostWinsOverPrivateAndIsOnlyTheGateway) {
  expect_groups({{"172.16.0.1", Group::kHost},
                 {"172.16.0.2", Group::kPrivate},
                 {"fd42:6d73:62::1", Group::kHost},
                 {"fd42:6d73:62::2", Group::kPrivate}});
  EXPECT_FALSE(in_group(Group::kPrivate, ip("172.16.0.1"), kHost));
  EXPECT_EQ(classify(ip("172.16.0.1"), HostAddresses{}), Group::kPrivate);
  // A mapped entry in the host list still names its v4 address.
  EXPECT_EQ(classify(ip("172.16.0.9"), HostAddresses{{ip("::ffff:172.16.0.9")}}), Group::kHost);
}

TEST(AddressGroups, AnyHoldsEverything) {
  for (const char* address : {"8.8.8.8", "10.0.0.1", "::1", "169.254.169.254", "255.255.255.255"})
    EXPECT_TRUE(in_group(Group::kAny, ip(address), kHost)) << address;
}

TEST(AddressGroups, NamesRoundTripCaseInsensitively) {
  for (Group group : kAllGroups) EXPECT_EQ(parse_group(group_name(group)).value(), group);
  EXPECT_EQ(parse_group("Link-Local").value(), Group::kLinkLocal);
  EXPECT_EQ(group_name(Group::kLinkLocal), "link-local");
  Result<Group> bad = parse_group("linklocal");
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().kind, ErrorKind::kInvalidArgument);
  EXPECT_EQ(bad.error().message, "unknown address group 'linklocal'");
}

}  // namespace
}  // namespace msb::net
