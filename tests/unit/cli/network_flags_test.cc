#include "cli/network_flags.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "net/rule_grammar.h"

namespace msb::cli {
namespace {

Result<net::NetworkConfig> parse(std::vector<std::string> argv) {
  CLI::App app;
  NetworkFlags flags;
  flags.add_to(app);
  std::reverse(argv.begin(), argv.end());
  app.parse(argv);
  return flags.to_config();
}

std::vector<std::string> rule_texts(const net::NetworkConfig& config) {
  std::vector<std::string> texts;
  for (const net::Rule& rule : config.policy.rules) texts.push_back(net::format_rule(rule));
  return texts;
}

std::string error_of(std::vector<std::string> argv) {
  Result<net::NetworkConfig> config = parse(std::move(argv));
  if (config) return "parsed";
  EXPECT_EQ(config.error().kind, ErrorKind::kInvalidArgument);
  return config.error().message;
}

TEST(NetworkFlags, NoFlagsGiveTheDefaults) { EXPECT_EQ(parse({}).value(), net::NetworkConfig{}); }

TEST(NetworkFlags, PresetAndRulesInOrder) {
  net::NetworkConfig config =
      parse({"--net", "none", "--net-rule", "allow@api.example.com:tcp:443,deny@10.0.0.0/8",
             "--net-rule", "allow:ingress@any"})
          .value();
  EXPECT_EQ(config.policy.preset, net::Preset::kNone);
  EXPECT_EQ(rule_texts(config), (std::vector<std::string>{"allow@api.example.com:tcp:443",
                                                          "deny@10.0.0.0/8", "allow:ingress@any"}));
}

TEST(NetworkFlags, BadRulesNameTheFlagTheTokenAndTheColumn) {
  EXPECT_EQ(error_of({"--net-rule", "alow@x"}),
            "--net-rule 'alow@x': 'alow' at column 1: expected allow or deny");
  EXPECT_EQ(error_of({"--net-rule", "allow@a.com", "--net-rule", "allow@a.com,deny@[::1"}),
            "--net-rule 'allow@a.com,deny@[::1': '[::1' at column 18: missing ']' after the IPv6 "
            "target");
  EXPECT_EQ(error_of({"--net", "open"}),
            "--net: unknown network preset 'open': use public, all or none");
}

TEST(NetworkFlags, NoNetRemovesTheNic) {
  net::NetworkConfig config = parse({"--no-net"}).value();
  EXPECT_FALSE(config.enabled);
}

TEST(NetworkFlags, NoNetWithPolicyOrPortsIsAUsageError) {
  EXPECT_THROW(parse({"--no-net", "--net", "all"}), CLI::ParseError);
  EXPECT_THROW(parse({"--no-net", "--net-rule", "allow@any"}), CLI::ParseError);
  EXPECT_THROW(parse({"--no-net", "-p", "8080:80"}), CLI::ParseError);
}

TEST(NetworkFlags, PublishedPorts) {
  net::NetworkConfig config =
      parse({"-p", "8080:80", "--port", "[::1]:5353:53/udp", "--publish", "0.0.0.0:2222:22"})
          .value();
  EXPECT_EQ(config.ports, (std::vector<net::PublishedPort>{{"127.0.0.1", 8080, 80, false},
                                                           {"::1", 5353, 53, true},
                                                           {"0.0.0.0", 2222, 22, false}}));
  EXPECT_EQ(error_of({"-p", "80"}), "published port '80': expected [BIND:]HOST:GUEST[/udp]");
}

TEST(NetworkFlags, Dns) {
  net::NetworkConfig config =
      parse({"--dns-nameserver", "1.1.1.1", "--dns-nameserver", "[2606:4700::1111]:53",
             "--no-dns-rebind-protection", "--dns-query-timeout-ms", "1500"})
          .value();
  EXPECT_EQ(config.dns.nameservers, (std::vector<std::string>{"1.1.1.1", "[2606:4700::1111]:53"}));
  EXPECT_FALSE(config.dns.rebinding_protection);
  EXPECT_EQ(config.dns.query_timeout_ms, 1500u);
}

TEST(NetworkFlags, RateLimitsAndConnections) {
  net::NetworkConfig config =
      parse({"--net-egress-bandwidth", "1M", "--net-egress-bandwidth-burst", "2M",
             "--net-egress-ops", "100/100ms", "--net-egress-ops-burst", "50",
             "--net-ingress-bandwidth", "512K/500ms", "--max-connections", "64"})
          .value();
  EXPECT_EQ(config.egress, (net::RateLimit{1 << 20, 1000, 2 << 20, 50}));
  EXPECT_EQ(config.ingress, (net::RateLimit{1 << 20, 0, 0, 0}));
  EXPECT_EQ(config.max_connections, 64u);
  EXPECT_EQ(error_of({"--net-ingress-ops", "fast"}),
            "--net-ingress-ops 'fast': 'fast': expected a number");
  EXPECT_EQ(error_of({"--net-egress-bandwidth", "1M/0s"}),
            "--net-egress-bandwidth '1M/0s': '0s': expected a duration such as 1s or 100ms");
}

}  // namespace
}  // namespace msb::cli
