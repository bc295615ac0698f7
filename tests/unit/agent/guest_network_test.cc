#include "agent/guest_network.h"

#include <gtest/gtest.h>

#include "os/file.h"

namespace msb::agent {
namespace {

GuestNetwork network() {
  return parse_guest_network("172.16.0.2/30,172.16.0.1,1500,fd42:6d73:62::2/64,fd42:6d73:62::1")
      .value();
}

TEST(GuestNetwork, ResolverIsTheGatewayOnly) {
  const std::string text = resolv_conf_text(network());
  EXPECT_NE(text.find("nameserver 172.16.0.1\n"), std::string::npos) << text;
  EXPECT_EQ(text.find("nameserver fd42"), std::string::npos) << text;
}

TEST(GuestNetwork, HostsGainsTheHostAliasOnce) {
  const std::string first = hosts_text("127.0.0.1\tlocalhost\n", network());
  EXPECT_TRUE(first.starts_with("127.0.0.1\tlocalhost\n")) << first;
  EXPECT_NE(first.find("172.16.0.1 host.microsandbox.internal"), std::string::npos) << first;
  EXPECT_NE(first.find("fd42:6d73:62::1 host.microsandbox.internal"), std::string::npos) << first;
  // Booting again replaces the block instead of adding a second one.
  EXPECT_EQ(hosts_text(first, network()), first);
}

TEST(GuestNetwork, HostsWithoutTrailingNewlineKeepsItsLastLine) {
  const std::string text = hosts_text("10.0.0.5 db", network());
  EXPECT_TRUE(text.starts_with("10.0.0.5 db\n")) << text;
}

TEST(GuestNetwork, WritesBothFilesReplacingASymlinkedResolvConf) {
  os::TempDir dir = std::move(*os::TempDir::create("msb-guest-net-"));
  const std::string etc = dir.path() + "/etc";
  ASSERT_TRUE(os::make_dirs(etc).has_value());
  ASSERT_TRUE(os::write_file(dir.path() + "/stub", "nameserver 127.0.0.53\n").has_value());
  ASSERT_EQ(::symlink("../stub", (etc + "/resolv.conf").c_str()), 0);
  ASSERT_TRUE(write_resolver_files(network(), etc).has_value());
  EXPECT_EQ(os::read_file(etc + "/resolv.conf").value(), resolv_conf_text(network()));
  EXPECT_EQ(os::read_file(dir.path() + "/stub").value(), "nameserver 127.0.0.53\n");
  EXPECT_NE(os::read_file(etc + "/hosts").value().find("host.microsandbox.internal"),
            std::string::npos);
}

TEST(GuestNetwork, RefusesAMalformedOption) {
  EXPECT_FALSE(parse_guest_network("172.16.0.2/30").has_value());
  EXPECT_FALSE(parse_guest_network("").has_value());
}

}  // namespace
}  // namespace msb::agent
