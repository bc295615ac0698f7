#include "net/network_config.h"

#include <gtest/gtest.h>

#include "net/rule_grammar.h"

namespace msb::net {
namespace {

NetworkConfig with_rules(std::string_view rules, Preset preset = Preset::kPublic) {
  NetworkConfig config;
  config.policy.preset = preset;
  if (!rules.empty()) config.policy.rules = parse_rules(rules).value();
  return config;
}

PublishedPort tcp(uint16_t host, uint16_t guest, std::string bind = "127.0.0.1") {
  return PublishedPort{std::move(bind), host, guest, false};
}

std::string error_of(const NetworkConfig& config) {
  Result<void> result = validate_network(config);
  if (result) return "valid";
  EXPECT_EQ(result.error().kind, ErrorKind::kInvalidConfig);
  return result.error().message;
}

TEST(ValidateNetwork, DefaultsAreValid) {
  EXPECT_EQ(error_of(NetworkConfig{}), "valid");
  NetworkConfig config;
  EXPECT_TRUE(config.enabled);
  EXPECT_EQ(config.policy.preset, Preset::kPublic);
  EXPECT_EQ(config.max_connections, 256u);
  EXPECT_TRUE(config.dns.rebinding_protection);
  EXPECT_EQ(config.dns.query_timeout_ms, 5000u);
  EXPECT_TRUE(config.egress.unlimited());
}

TEST(ValidateNetwork, MaxConnectionsIsOneTo65536) {
  NetworkConfig config;
  config.max_connections = 0;
  EXPECT_EQ(error_of(config), "invalid config: max connections must be from 1 to 65536, got 0");
  config.max_connections = 65537;
  EXPECT_EQ(error_of(config), "invalid config: max connections must be from 1 to 65536, got 65537");
  config.max_connections = 65536;
  EXPECT_EQ(error_of(config), "valid");
}

TEST(ValidateNetwork, RulesBuiltInCodeAreChecked) {
  NetworkConfig config = with_rules("allow@example.com");
  config.policy.rules[0].target.domain = "a_b.com";
  EXPECT_EQ(error_of(config),
            "invalid config: network rule 1 'allow@a_b.com': not a valid domain 'a_b.com': a label "
            "may hold only a-z, 0-9 and '-'");
}

TEST(ValidateNetwork, PortsNeedTheNetwork) {
  NetworkConfig config;
  config.enabled = false;
  EXPECT_EQ(error_of(config), "valid");
  config.ports = {tcp(8080, 80)};
  EXPECT_EQ(error_of(config),
            "invalid config: published ports need the network, but it is disabled (--no-net)");
}

TEST(ValidateNetwork, PortZeroIsRefused) {
  NetworkConfig config;
  config.ports = {tcp(0, 80)};
  EXPECT_EQ(error_of(config), "invalid config: published port 0:80: the host port must be 1-65535");
  config.ports = {tcp(8080, 0)};
  EXPECT_EQ(error_of(config),
            "invalid config: published port 8080:0: the guest port must be 1-65535");
}

TEST(ValidateNetwork, BindMustBeAnIp) {
  NetworkConfig config;
  config.ports = {tcp(8080, 80, "localhost")};
  EXPECT_EQ(
      error_of(config),
      "invalid config: published port 8080:80: bind address 'localhost' is not an IP address");
}

TEST(ValidateNetwork, DuplicateHostPortsAreRefused) {
  NetworkConfig config;
  config.ports = {tcp(8080, 80), tcp(8080, 81)};
  EXPECT_EQ(error_of(config),
            "invalid config: published port 8080/tcp on 127.0.0.1 is given twice");
  config.ports = {tcp(8080, 80), PublishedPort{"127.0.0.1", 8080, 80, true}};
  EXPECT_EQ(error_of(config), "valid");
  config.ports = {tcp(8080, 80), tcp(8080, 80, "127.0.0.2")};
  EXPECT_EQ(error_of(config), "valid");
  config.ports = {tcp(8080, 80), tcp(8080, 80, "0.0.0.0")};
  EXPECT_EQ(error_of(config),
            "invalid config: published port 8080/tcp is bound on both 127.0.0.1 and 0.0.0.0, which "
            "overlap");
  config.ports = {tcp(8080, 80), tcp(8080, 80, "::")};
  EXPECT_EQ(error_of(config), "valid");
}

TEST(ValidateNetwork, PortsThePolicyCanNeverAdmitAreRefused) {
  NetworkConfig config = with_rules("", Preset::kNone);
  config.ports = {tcp(8080, 80)};
  EXPECT_EQ(error_of(config),
            "invalid config: published port 8080 is unreachable: policy 'none' denies ingress; add "
            "--net-rule allow:ingress@any");
  config.policy = with_rules("allow:ingress@any", Preset::kNone).policy;
  EXPECT_EQ(error_of(config), "valid");
  config.policy = with_rules("allow:any@127.0.0.1:tcp:80", Preset::kNone).policy;
  EXPECT_EQ(error_of(config), "valid");
  // An allow for another protocol or port does not help.
  config.policy =
      with_rules("allow:ingress@any:udp,allow:ingress@any:tcp:81", Preset::kNone).policy;
  EXPECT_EQ(error_of(config),
            "invalid config: published port 8080 is unreachable: policy 'none' denies ingress; add "
            "--net-rule allow:ingress@any");
  config.policy = with_rules("deny:ingress@any").policy;
  EXPECT_EQ(error_of(config),
            "invalid config: published port 8080 is unreachable: rule 1 'deny:ingress@any' denies "
            "ingress; add --net-rule allow:ingress@any");
  // A deny of some clients leaves the others to the preset.
  config.policy = with_rules("deny:ingress@10.0.0.0/8").policy;
  EXPECT_EQ(error_of(config), "valid");
  config.policy = with_rules("deny@any").policy;  // egress only
  EXPECT_EQ(error_of(config), "valid");
}

TEST(ValidateNetwork, NameserversAreIpAndPort) {
  NetworkConfig config;
  config.dns.nameservers = {"1.1.1.1", "[2606:4700::1111]:53", "dns.google"};
  EXPECT_EQ(error_of(config),
            "invalid config: DNS nameserver 'dns.google': must be IP, IP:PORT or [IPv6]:PORT");
}

TEST(ValidateNetwork, QueryTimeoutIsBounded) {
  NetworkConfig config;
  config.dns.query_timeout_ms = 0;
  EXPECT_EQ(error_of(config),
            "invalid config: DNS query timeout must be from 1 to 60000 ms, got 0 ms");
  config.dns.query_timeout_ms = 60001;
  EXPECT_NE(error_of(config), "valid");
}

TEST(ValidateNetwork, BurstsNeedTheirRate) {
  NetworkConfig config;
  config.egress.burst_bytes = 65536;
  EXPECT_EQ(error_of(config), "invalid config: the egress bandwidth burst needs a bandwidth");
  config = NetworkConfig{};
  config.ingress.burst_packets = 10;
  EXPECT_EQ(error_of(config), "invalid config: the ingress packet burst needs a packet rate");
}

TEST(ValidateNetwork, AByteBucketHoldsAFrame) {
  NetworkConfig config;
  config.egress.bytes_per_second = 1000;
  EXPECT_EQ(
      error_of(config),
      "invalid config: the egress byte bucket holds 1000 bytes, less than one full frame (1514 "
      "bytes): raise the bandwidth or its burst");
  config.egress.burst_bytes = 1514;
  EXPECT_EQ(error_of(config), "valid");
  config.egress = RateLimit{1 << 20, 1000, 0, 0};
  EXPECT_EQ(error_of(config), "valid");
}

}  // namespace
}  // namespace msb::net
