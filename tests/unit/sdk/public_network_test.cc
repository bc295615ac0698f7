// microsandbox::Network and SandboxBuilder::network()/disable_network(): the fluent value
// becomes one net::NetworkConfig, and every mistake surfaces from create() as
// kInvalidConfig before anything is made. Hermetic: a private, empty $MSB_HOME; nothing boots.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <memory>

#include "microsandbox/network.h"
#include "microsandbox/sandbox.h"
#include "net/rule_grammar.h"
#include "os/file.h"
#include "scoped_env.h"
#include "sdk/network_impl.h"
#include "sdk_test_util.h"

namespace msb::sdk {
namespace {

using microsandbox::ErrorKind;
using microsandbox::Network;
using microsandbox::Sandbox;
using msb::testing::error_of;
using ::testing::HasSubstr;

std::vector<std::string> rule_texts(const net::NetworkConfig& config) {
  std::vector<std::string> texts;
  for (const net::Rule& rule : config.policy.rules) texts.push_back(net::format_rule(rule));
  return texts;
}

TEST(PublicNetwork, DefaultIsTheDefaultConfig) {
  EXPECT_EQ(network_config(Network()).value(), net::NetworkConfig{});
}

TEST(PublicNetwork, EverySettingReachesTheConfig) {
  Network network = Network::preset("none")
                        .rule("allow:ingress@any")
                        .allow("api.example.com", "tcp", "443")
                        .deny("10.0.0.0/8")
                        .allow("2001:db8::/32", "udp")
                        .deny("*.tracker.net", "any", "80-90")
                        .publish(8080, 80)
                        .publish_udp(5353, 53)
                        .publish_on("[::1]", 2222, 22)
                        .dns_nameserver("1.1.1.1")
                        .rebinding_protection(false)
                        .dns_query_timeout(std::chrono::seconds(2))
                        .egress_limit(1 << 20, 1000)
                        .egress_burst(2 << 20, 2000)
                        .ingress_limit(4096)
                        .max_connections(32);
  net::NetworkConfig config = network_config(network).value();
  EXPECT_EQ(config.policy.preset, net::Preset::kNone);
  EXPECT_EQ(rule_texts(config),
            (std::vector<std::string>{"allow:ingress@any", "allow@api.example.com:tcp:443",
                                      "deny@10.0.0.0/8", "allow@[2001:db8::/32]:udp",
                                      "deny@*.tracker.net:any:80-90"}));
  EXPECT_EQ(config.ports, (std::vector<net::PublishedPort>{{"127.0.0.1", 8080, 80, false},
                                                           {"127.0.0.1", 5353, 53, true},
                                                           {"::1", 2222, 22, false}}));
  EXPECT_EQ(config.dns.nameservers, std::vector<std::string>{"1.1.1.1"});
  EXPECT_FALSE(config.dns.rebinding_protection);
  EXPECT_EQ(config.dns.query_timeout_ms, 2000u);
  EXPECT_EQ(config.egress, (net::RateLimit{1 << 20, 1000, 2 << 20, 2000}));
  EXPECT_EQ(config.ingress, (net::RateLimit{4096, 0, 0, 0}));
  EXPECT_EQ(config.max_connections, 32u);
}

TEST(PublicNetwork, CopiesAreIndependent) {
  Network base = Network::preset("all");
  Network copy = base;
  copy.deny("meta");
  EXPECT_TRUE(network_config(base).value().policy.rules.empty());
  EXPECT_EQ(network_config(copy).value().policy.rules.size(), 1u);
  base = copy;
  EXPECT_EQ(network_config(base).value().policy.rules.size(), 1u);
}

TEST(PublicNetwork, BadTextsAreInvalidConfig) {
  Result<net::NetworkConfig> rule = network_config(Network().rule("alow@x"));
  ASSERT_FALSE(rule.has_value());
  EXPECT_EQ(rule.error().kind, msb::ErrorKind::kInvalidConfig);
  EXPECT_EQ(rule.error().message,
            "invalid config: network rule 'alow@x': 'alow' at column 1: expected allow or deny");
  Result<net::NetworkConfig> preset = network_config(Network::preset("open"));
  ASSERT_FALSE(preset.has_value());
  EXPECT_EQ(preset.error().message,
            "invalid config: network preset: unknown network preset 'open': use public, all or "
            "none");
}

class BuilderNetwork : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<os::TempDir> home = os::TempDir::create("msb-sdk-network-");
    ASSERT_TRUE(home.has_value());
    home_ = std::make_unique<os::TempDir>(std::move(*home));
    home_env_ = std::make_unique<msb::testing::ScopedEnv>("MSB_HOME", home_->path());
  }
  void TearDown() override {
    home_env_.reset();
    home_.reset();
  }

  // create() failed and left $MSB_HOME as it found it: empty.
  void expect_invalid_and_nothing_made(const std::function<void()>& create,
                                       const std::string& message) {
    microsandbox::Error error = error_of(create);
    EXPECT_EQ(error.kind(), ErrorKind::kInvalidConfig);
    EXPECT_THAT(error.what(), HasSubstr(message));
    EXPECT_TRUE(std::filesystem::is_empty(home_->path()));
  }

  std::unique_ptr<os::TempDir> home_;
  std::unique_ptr<msb::testing::ScopedEnv> home_env_;
};

TEST_F(BuilderNetwork, AnInvalidRuleCreatesNothing) {
  expect_invalid_and_nothing_made(
      [] { Sandbox::builder("job").network(Network().rule("deny@10.0.0.1/8")).create(); },
      "'10.0.0.1/8' at column 6: host bits set, did you mean 10.0.0.0/8");
}

TEST_F(BuilderNetwork, AnUnreachablePortCreatesNothing) {
  expect_invalid_and_nothing_made(
      [] { Sandbox::builder("job").network(Network::preset("none").publish(8080, 80)).create(); },
      "published port 8080 is unreachable: policy 'none' denies ingress");
}

TEST_F(BuilderNetwork, DisabledNetworkRefusesPorts) {
  expect_invalid_and_nothing_made(
      [] {
        Sandbox::builder("job").network(Network().publish(8080, 80)).disable_network().create();
      },
      "published ports need the network, but it is disabled");
}

TEST_F(BuilderNetwork, OtherBadSettingsCreateNothing) {
  expect_invalid_and_nothing_made(
      [] { Sandbox::builder("job").network(Network().max_connections(0)).create(); },
      "max connections must be from 1 to 65536, got 0");
  expect_invalid_and_nothing_made(
      [] { Sandbox::builder("job").network(Network().dns_nameserver("dns.google")).create(); },
      "DNS nameserver 'dns.google'");
  expect_invalid_and_nothing_made(
      [] { Sandbox::builder("job").network(Network().publish_on("localhost", 80, 80)).create(); },
      "bind address 'localhost' is not an IP address");
}

}  // namespace
}  // namespace msb::sdk
