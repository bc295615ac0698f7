#include "net/dns_upstreams.h"

#include <gtest/gtest.h>

namespace msb::net {
namespace {

std::string text_of(const SocketAddress& address) {
  return address.address().to_string() + " " + std::to_string(address.port());
}

TEST(DnsUpstreams, ReadsResolvConfNameserversInOrder) {
  const std::vector<SocketAddress> servers = resolv_conf_nameservers(
      "# generated\nsearch example.com\nnameserver 192.0.2.1\nnameserver\t2001:db8::1 # v6\n"
      "nameserver fe80::1%eth0\nnameservers 192.0.2.9\noptions edns0\nnameserver 192.0.2.2");
  ASSERT_EQ(servers.size(), 3u);
  EXPECT_EQ(text_of(servers[0]), "192.0.2.1 53");
  EXPECT_EQ(text_of(servers[1]), "2001:db8::1 53");
  EXPECT_EQ(text_of(servers[2]), "192.0.2.2 53");
  EXPECT_TRUE(resolv_conf_nameservers("").empty());
  EXPECT_TRUE(resolv_conf_nameservers("nameserver\n").empty());
}

TEST(DnsUpstreams, ConfiguredServersReplaceTheHosts) {
  Result<std::vector<SocketAddress>> servers = upstream_nameservers({"192.0.2.53", "[::1]:53"});
  ASSERT_TRUE(servers.has_value());
  ASSERT_EQ(servers->size(), 2u);
  EXPECT_EQ(text_of((*servers)[1]), "::1 53");
  EXPECT_EQ(text_of(upstream_nameservers({"[2001:db8::53]:5353"})->at(0)), "2001:db8::53 5353");
  EXPECT_FALSE(upstream_nameservers({"192.0.2.53", "bad"}).has_value());
}

}  // namespace
}  // namespace msb::net
