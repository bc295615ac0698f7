#include "net/flow_table.h"

#include <gtest/gtest.h>

#include "net/packet.h"

namespace msb::net {
namespace {

using std::chrono::seconds;
using Clock = std::chrono::steady_clock;

FlowKey tcp_key(uint16_t guest_port) {
  return {kTcp, guest_port, IpAddress::parse("192.0.2.10").value(), 80};
}

TEST(FlowTable, FindsWhatWasAdded) {
  FlowTable table;
  const auto now = Clock::now();
  table.add(tcp_key(40000), false, now);
  ASSERT_NE(table.find(tcp_key(40000), now), nullptr);
  EXPECT_EQ(table.find(tcp_key(40001), now), nullptr);
  table.remove(tcp_key(40000));
  EXPECT_EQ(table.find(tcp_key(40000), now), nullptr);
}

TEST(FlowTable, CountsOnlyOpenTcpConnections) {
  FlowTable table;
  const auto now = Clock::now();
  table.add(tcp_key(1), false, now);
  table.add(tcp_key(2), false, now);
  table.add({kUdp, 3, IpAddress::parse("192.0.2.10").value(), 53}, false, now);
  EXPECT_EQ(table.open_connections(), 2u);
  table.find(tcp_key(2), now)->closing = true;
  EXPECT_EQ(table.open_connections(), 1u);
}

TEST(FlowTable, ExpiresByProtocolAndState) {
  FlowTable table;
  const auto start = Clock::now();
  table.add(tcp_key(1), false, start);
  table.add(tcp_key(2), false, start);
  table.find(tcp_key(2), start)->closing = true;
  table.add({kUdp, 3, IpAddress::parse("192.0.2.10").value(), 53}, false, start);
  table.expire(start + seconds(11));
  EXPECT_EQ(table.size(), 2u);  // the closed connection went first
  table.expire(start + seconds(121));
  EXPECT_EQ(table.size(), 1u);  // then the datagram flow
  table.expire(start + seconds(7000));
  EXPECT_EQ(table.size(), 1u);  // an idle TCP connection lives for hours
}

TEST(FlowTable, AtCapacityForgetsTheIdlest) {
  FlowTable table(2);
  const auto start = Clock::now();
  table.add(tcp_key(1), false, start);
  table.add(tcp_key(2), false, start + seconds(1));
  ASSERT_NE(table.find(tcp_key(1), start + seconds(2)), nullptr);  // now 2 is the idlest
  table.add(tcp_key(3), false, start + seconds(3));
  EXPECT_EQ(table.size(), 2u);
  EXPECT_NE(table.find(tcp_key(1), start + seconds(3)), nullptr);
  EXPECT_EQ(table.find(tcp_key(2), start + seconds(3)), nullptr);
}

}  // namespace
}  // namespace msb::net
