#include "os/interface_settings.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>

namespace msb::os {
namespace {

std::string text_of(const in_addr& address) {
  char text[INET_ADDRSTRLEN] = {};
  ::inet_ntop(AF_INET, &address, text, sizeof text);
  return text;
}

std::string text_of(const in6_addr& address) {
  char text[INET6_ADDRSTRLEN] = {};
  ::inet_ntop(AF_INET6, &address, text, sizeof text);
  return text;
}

TEST(InterfaceSettings, ParsesV4Only) {
  InterfaceSettings settings = parse_interface_settings("172.16.0.2/30,172.16.0.1,1500").value();
  EXPECT_EQ(text_of(settings.ipv4), "172.16.0.2");
  EXPECT_EQ(settings.ipv4_prefix, 30);
  EXPECT_EQ(text_of(settings.gateway_v4), "172.16.0.1");
  EXPECT_EQ(settings.mtu, 1500u);
  EXPECT_FALSE(settings.ipv6.has_value());
}

TEST(InterfaceSettings, ParsesV4AndV6) {
  InterfaceSettings settings =
      parse_interface_settings("172.16.0.2/30,172.16.0.1,1400,fd42:6d73:62::2/64,fd42:6d73:62::1")
          .value();
  ASSERT_TRUE(settings.ipv6.has_value());
  EXPECT_EQ(text_of(*settings.ipv6), "fd42:6d73:62::2");
  EXPECT_EQ(settings.ipv6_prefix, 64);
  EXPECT_EQ(text_of(settings.gateway_v6), "fd42:6d73:62::1");
  EXPECT_EQ(settings.mtu, 1400u);
}

TEST(InterfaceSettings, RefusesAnythingElse) {
  for (std::string_view text :
       {"", "172.16.0.2,172.16.0.1,1500", "172.16.0.2/33,172.16.0.1,1500",
        "172.16.0.2/30,172.16.0.1", "172.16.0.2/30,172.16.0.1,0", "172.16.0.2/30,172.16.0.1,x",
        "172.16.0.2/30,172.16.0.1,1500,fd42::2/64", "172.16.0.2/30,fd42::1,1500",
        "172.16.0.2/30,172.16.0.1,1500,fd42::2/129,fd42::1",
        "172.16.0.2/30,172.16.0.1,1500,172.16.0.3/30,172.16.0.1",
        "172.16.0.2/30,172.16.0.1,1500,fd42::2/64,fd42::1,extra", "a b,c,d"}) {
    Result<InterfaceSettings> parsed = parse_interface_settings(text);
    ASSERT_FALSE(parsed.has_value()) << text;
    EXPECT_EQ(parsed.error().kind, ErrorKind::kInvalidArgument) << text;
  }
}

}  // namespace
}  // namespace msb::os
