#include "engine/network_option.h"

#include <gtest/gtest.h>

namespace msb::engine {
namespace {

GuestNetworkSpec spec() {
  GuestNetworkSpec network;
  network.ipv4_cidr = "172.16.0.2/30";
  network.gateway_v4 = "172.16.0.1";
  network.ipv6_cidr = "fd42:6d73:62::2/64";
  network.gateway_v6 = "fd42:6d73:62::1";
  network.mtu = 1500;
  network.mac = "02:6d:73:00:01:02";
  return network;
}

TEST(NetworkOption, JoinsTheAddressesInTheAgentsOrder) {
  EXPECT_EQ(agent_network_option(spec()),
            "172.16.0.2/30,172.16.0.1,1500,fd42:6d73:62::2/64,fd42:6d73:62::1");
  GuestNetworkSpec v4_only = spec();
  v4_only.ipv6_cidr.clear();
  v4_only.gateway_v6.clear();
  EXPECT_EQ(agent_network_option(v4_only), "172.16.0.2/30,172.16.0.1,1500");
}

TEST(NetworkOptionDeathTest, RefusesCharactersThatWouldSplitTheKernelCommandLine) {
  GuestNetworkSpec bad = spec();
  bad.gateway_v4 = "172.16.0.1 init=/bin/sh";
  EXPECT_DEATH(agent_network_option(bad), "");
}

TEST(NetworkOptionDeathTest, RefusesMalformedMacs) {
  check_mac("02:6d:73:00:01:02");
  EXPECT_DEATH(check_mac("02:6d:73:00:01"), "");
  EXPECT_DEATH(check_mac("02:6d:73:00:01:0g"), "");
  EXPECT_DEATH(check_mac("02-6d-73-00-01-02"), "");
}

}  // namespace
}  // namespace msb::engine
