#include "net/address_plan.h"

#include <gtest/gtest.h>

namespace msb::net {
namespace {

TEST(AddressPlan, SlotZeroIsTheFirstBlockOfEachPool) {
  AddressPlan plan = plan_addresses(0);
  EXPECT_EQ(to_text(plan.network), "172.16.0.0");
  EXPECT_EQ(to_text(plan.gateway), "172.16.0.1");
  EXPECT_EQ(to_text(plan.guest), "172.16.0.2");
  EXPECT_EQ(to_text(plan.netmask), "255.255.255.252");
  EXPECT_EQ(to_text(plan.gateway6), "fd42:6d73:62::1");
  EXPECT_EQ(to_text(plan.guest6), "fd42:6d73:62::2");
  EXPECT_EQ(plan.guest_mac, "02:6d:73:00:00:02");
  EXPECT_EQ(plan.gateway_mac, "02:6d:73:00:00:01");
  EXPECT_EQ(plan.mtu, 65520u);
}

TEST(AddressPlan, SlotsStayInsideThePools) {
  AddressPlan last = plan_addresses(0xffff);
  EXPECT_EQ(to_text(last.guest), "172.19.255.254");
  EXPECT_EQ(to_text(last.guest6), "fd42:6d73:62:ffff::2");
  EXPECT_EQ(last.guest_mac, "02:6d:73:ff:ff:02");
  // Taken modulo 65536.
  EXPECT_EQ(to_text(plan_addresses(0x10001).guest), to_text(plan_addresses(1).guest));
}

TEST(AddressPlan, SlotOfANameIsStable) {
  // Part of the compatibility contract: a sandbox keeps its addresses across restarts and
  // releases, so this value must never change.
  EXPECT_EQ(slot_for_name("job"), slot_for_name("job"));
  EXPECT_NE(slot_for_name("job"), slot_for_name("job2"));
  EXPECT_LT(slot_for_name("a-very-long-sandbox-name"), 65536u);
}

}  // namespace
}  // namespace msb::net
