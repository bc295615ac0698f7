#include "cli/network_view.h"

#include <gtest/gtest.h>

#include "net/rule_grammar.h"

namespace msb::cli {
namespace {

net::NetworkConfig sample() {
  net::NetworkConfig config;
  config.policy.rules = net::parse_rules("allow@api.example.com:tcp:443,deny@10.0.0.0/8").value();
  config.ports = {{"127.0.0.1", 8080, 80, false}, {"::1", 5353, 53, true}};
  config.dns.nameservers = {"1.1.1.1"};
  config.egress = {1 << 20, 0, 0, 0};
  config.ingress = {0, 100, 0, 20};
  return config;
}

TEST(NetworkView, LinesShowUserRulesThenPresetRulesThenTheFinalDeny) {
  std::vector<std::string> lines = network_view_lines(sample());
  std::vector<std::string> expected = {
      "policy:           public preset; first match wins",
      "    1  allow@api.example.com:tcp:443",
      "    2  deny@10.0.0.0/8",
      "    -  deny@meta  (preset)",
      "    -  deny@host  (preset)",
      "    -  deny@loopback  (preset)",
      "    -  deny@link-local  (preset)",
      "    -  deny@private  (preset)",
      "    -  deny@multicast  (preset)",
      "    -  allow@public  (preset)",
      "    -  allow:ingress@any  (preset)",
      "    -  deny:any@any  (default)",
      "port:             127.0.0.1:8080 -> guest 80/tcp",
      "port:             [::1]:5353 -> guest 53/udp",
      "dns:              1.1.1.1; rebinding protection on; query timeout 5000 ms",
      "egress limit:     1048576 bytes/s (burst 1048576)",
      "ingress limit:    100 packets/s (burst 20)",
      "max connections:  256",
  };
  EXPECT_EQ(lines, expected);
}

TEST(NetworkView, DefaultsAndDisabled) {
  std::vector<std::string> lines = network_view_lines(net::NetworkConfig{});
  EXPECT_EQ(lines.front(), "policy:           public preset; first match wins");
  EXPECT_NE(std::find(lines.begin(), lines.end(), "ports:            none"), lines.end());
  EXPECT_NE(std::find(lines.begin(), lines.end(),
                      "dns:              host resolvers; rebinding protection on; query timeout "
                      "5000 ms"),
            lines.end());
  net::NetworkConfig off;
  off.enabled = false;
  EXPECT_EQ(network_view_lines(off), std::vector<std::string>{"disabled (no network interface)"});
  EXPECT_EQ(network_view_json(off), nlohmann::json({{"enabled", false}}));
}

TEST(NetworkView, JsonListsTheEffectiveRulesWithTheirSource) {
  nlohmann::json view = network_view_json(sample());
  EXPECT_EQ(view["preset"], "public");
  EXPECT_EQ(view["rules"][0],
            nlohmann::json({{"rule", "allow@api.example.com:tcp:443"}, {"source", "user"}}));
  EXPECT_EQ(view["rules"][2], nlohmann::json({{"rule", "deny@meta"}, {"source", "preset"}}));
  EXPECT_EQ(view["rules"].back(),
            nlohmann::json({{"rule", "deny:any@any"}, {"source", "default"}}));
  EXPECT_EQ(view["ports"], nlohmann::json({"127.0.0.1:8080:80", "[::1]:5353:53/udp"}));
  EXPECT_EQ(view["egress"]["bytes_per_second"], 1 << 20);
  EXPECT_EQ(network_view_json(net::NetworkConfig{})["ingress"], "unlimited");
}

}  // namespace
}  // namespace msb::cli
