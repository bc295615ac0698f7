#include "net/network_json.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "net/rule_grammar.h"

namespace msb::net {
namespace {

using nlohmann::json;

NetworkConfig full_config() {
  NetworkConfig config;
  config.policy.preset = Preset::kNone;
  config.policy.rules =
      parse_rules("allow@api.example.com:tcp:443,allow:ingress@any,deny@[fd00::/8]").value();
  config.ports = {PublishedPort{"127.0.0.1", 8080, 80, false},
                  PublishedPort{"::1", 5353, 53, true}};
  config.dns.nameservers = {"1.1.1.1", "[2606:4700::1111]:53"};
  config.dns.rebinding_protection = false;
  config.dns.query_timeout_ms = 2500;
  config.egress = RateLimit{1 << 20, 1000, 1 << 21, 2000};
  config.ingress = RateLimit{4096, 0, 0, 0};
  config.max_connections = 64;
  return config;
}

Result<NetworkConfig> from_text(std::string_view text) {
  return network_from_json(json::parse(text, nullptr, false));
}

std::string error_of(std::string_view text) {
  Result<NetworkConfig> config = from_text(text);
  if (config) return "parsed";
  EXPECT_EQ(config.error().kind, ErrorKind::kInvalidConfig);
  return config.error().message;
}

TEST(NetworkJson, RoundTrips) {
  NetworkConfig config = full_config();
  EXPECT_EQ(network_from_json(network_to_json(config)).value(), config);
  EXPECT_EQ(network_from_json(network_to_json(NetworkConfig{})).value(), NetworkConfig{});
  NetworkConfig disabled;
  disabled.enabled = false;
  EXPECT_EQ(network_from_json(network_to_json(disabled)).value(), disabled);
}

TEST(NetworkJson, RulesAreStoredAsCanonicalText) {
  json value = network_to_json(full_config());
  EXPECT_EQ(value["rules"],
            json({"allow@api.example.com:tcp:443", "allow:ingress@any", "deny@[fd00::/8]"}));
  EXPECT_EQ(value["preset"], "none");
  EXPECT_EQ(value["ports"][1],
            json({{"bind", "::1"}, {"host_port", 5353}, {"guest_port", 53}, {"protocol", "udp"}}));
}

TEST(NetworkJson, MissingKeysKeepDefaultsAndUnknownKeysAreIgnored) {
  EXPECT_EQ(from_text("{}").value(), NetworkConfig{});
  EXPECT_EQ(from_text(R"({"future": 1, "dns": {"later": true}})").value(), NetworkConfig{});
  NetworkConfig config = from_text(R"({"ports": [{"host_port": 8080, "guest_port": 80}]})").value();
  EXPECT_EQ(config.ports.at(0), (PublishedPort{"127.0.0.1", 8080, 80, false}));
}

TEST(NetworkJson, WrongTypesNameTheField) {
  struct Case {
    const char* text;
    const char* message;
  };
  for (const Case& c : std::vector<Case>{
           {"[]", "sandbox config: network: must be an object"},
           {R"({"enabled": 1})", "sandbox config: network.enabled: must be true or false"},
           {R"({"preset": 1})", "sandbox config: network.preset: must be a string"},
           {R"({"preset": "open"})",
            "sandbox config: network.preset: unknown network preset 'open': use public, all or "
            "none"},
           {R"({"rules": "allow@any"})", "sandbox config: network.rules: must be an array"},
           {R"({"rules": [1]})", "sandbox config: network.rules[0]: must be a string"},
           {R"({"rules": ["allow@any", "alow@x"]})",
            "sandbox config: network.rules[1]: 'alow' at column 1: expected allow or deny"},
           {R"({"ports": {}})", "sandbox config: network.ports: must be an array"},
           {R"({"ports": ["8080:80"]})",
            "sandbox config: network.ports[0]: must be an object {bind, host_port, guest_port, "
            "protocol}"},
           {R"({"ports": [{"host_port": 70000}]})",
            "sandbox config: network.ports[0].host_port: must be an integer from 0 to 65535"},
           {R"({"ports": [{"guest_port": -1}]})",
            "sandbox config: network.ports[0].guest_port: must be an integer from 0 to 65535"},
           {R"({"ports": [{"bind": 1}]})",
            "sandbox config: network.ports[0].bind: must be a string"},
           {R"({"ports": [{"protocol": "sctp"}]})",
            "sandbox config: network.ports[0].protocol: must be tcp or udp"},
           {R"({"dns": []})", "sandbox config: network.dns: must be an object"},
           {R"({"dns": {"nameservers": [1]}})",
            "sandbox config: network.dns.nameservers[0]: must be a string"},
           {R"({"dns": {"rebinding_protection": "yes"}})",
            "sandbox config: network.dns.rebinding_protection: must be true or false"},
           {R"({"dns": {"query_timeout_ms": 1.5}})",
            "sandbox config: network.dns.query_timeout_ms: must be an integer from 0 to "
            "4294967295"},
           {R"({"egress": {"bytes_per_second": "1M"}})",
            "sandbox config: network.egress.bytes_per_second: must be an integer from 0 to "
            "18446744073709551615"},
           {R"({"ingress": 5})", "sandbox config: network.ingress: must be an object"},
           {R"({"max_connections": null})",
            "sandbox config: network.max_connections: must be an integer from 0 to 4294967295"},
       }) {
    EXPECT_EQ(error_of(c.text), c.message) << c.text;
  }
}

}  // namespace
}  // namespace msb::net
