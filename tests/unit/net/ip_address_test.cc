#include "net/ip_address.h"

#include <gtest/gtest.h>

namespace msb::net {
namespace {

IpAddress ip(std::string_view text) {
  Result<IpAddress> address = IpAddress::parse(text);
  EXPECT_TRUE(address.has_value()) << text;
  return address.value_or(IpAddress{});
}

TEST(IpAddress, ParsesAndPrintsBothFamilies) {
  EXPECT_EQ(ip("192.0.2.1").to_string(), "192.0.2.1");
  EXPECT_TRUE(ip("192.0.2.1").is_v4());
  EXPECT_EQ(ip("2001:DB8:0:0::1").to_string(), "2001:db8::1");
  EXPECT_EQ(ip("2001:db8::1").bytes().size(), 16u);
  EXPECT_EQ(ip("192.0.2.1").bytes().size(), 4u);
}

TEST(IpAddress, RefusesGarbage) {
  for (std::string_view text : {"", "1.2.3", "256.1.1.1", "[::1]", "fe80::1%eth0", "1.2.3.4:80",
                                "example.com", " 1.2.3.4", "::1::2"}) {
    Result<IpAddress> address = IpAddress::parse(text);
    ASSERT_FALSE(address.has_value()) << text;
    EXPECT_EQ(address.error().kind, ErrorKind::kInvalidArgument);
  }
  EXPECT_FALSE(IpAddress::parse(std::string_view("1.2.3.4\0", 8)).has_value());
}

TEST(IpAddress, UnmapsV4MappedV6) {
  EXPECT_EQ(ip("::ffff:169.254.169.254").unmapped(), ip("169.254.169.254"));
  EXPECT_EQ(ip("::1").unmapped(), ip("::1"));
  EXPECT_EQ(ip("10.0.0.1").unmapped(), ip("10.0.0.1"));
}

TEST(IpAddress, OrdersFamiliesApart) {
  EXPECT_NE(IpAddress::parse("0.0.0.0").value(), IpAddress::parse("::").value());
  EXPECT_LT(ip("10.0.0.1"), ip("10.0.0.2"));
}

TEST(Cidr, ParsesBlocksAndBareAddresses) {
  Result<Cidr> block = Cidr::parse("10.0.0.0/8");
  ASSERT_TRUE(block.has_value());
  EXPECT_EQ(block->prefix(), 8);
  EXPECT_EQ(block->to_string(), "10.0.0.0/8");
  EXPECT_EQ(Cidr::parse("192.0.2.7")->to_string(), "192.0.2.7/32");
  EXPECT_EQ(Cidr::parse("fd00::/8")->to_string(), "fd00::/8");
  EXPECT_EQ(Cidr::parse("::/0")->prefix(), 0);
}

TEST(Cidr, RefusesHostBitsWithASuggestion) {
  Result<Cidr> block = Cidr::parse("10.0.0.1/8");
  ASSERT_FALSE(block.has_value());
  EXPECT_NE(block.error().message.find("did you mean 10.0.0.0/8"), std::string::npos);
}

TEST(Cidr, RefusesBadPrefixes) {
  for (std::string_view text : {"10.0.0.0/33", "::/129", "10.0.0.0/", "10.0.0.0/-1", "10.0.0.0/08",
                                "10.0.0.0/8/8", "10.0.0.0/x", "/8"}) {
    EXPECT_FALSE(Cidr::parse(text).has_value()) << text;
  }
}

TEST(Cidr, ContainsMatchesPrefixAndFamily) {
  const Cidr block = Cidr::parse("172.16.0.0/12").value();
  EXPECT_TRUE(block.contains(ip("172.31.255.255")));
  EXPECT_FALSE(block.contains(ip("172.32.0.0")));
  EXPECT_FALSE(block.contains(ip("::1")));
  EXPECT_TRUE(block.contains(ip("::ffff:172.16.0.1")));
  const Cidr odd = Cidr::parse("fd00:ec2::254/127").value();
  EXPECT_TRUE(odd.contains(ip("fd00:ec2::255")));
  EXPECT_FALSE(odd.contains(ip("fd00:ec2::256")));
  EXPECT_TRUE(Cidr().contains(ip("203.0.113.9")));
  EXPECT_FALSE(Cidr().contains(ip("2001:db8::1")));
}

TEST(Cidr, OfClearsHostBits) {
  EXPECT_EQ(Cidr::of(ip("192.0.2.77"), 25).to_string(), "192.0.2.0/25");
  EXPECT_EQ(Cidr::of(ip("2001:db8::ffff"), 120).to_string(), "2001:db8::ff00/120");
}

}  // namespace
}  // namespace msb::net
