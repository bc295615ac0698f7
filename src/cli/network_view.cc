#include "cli/network_view.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "net/rule_grammar.h"

namespace msb::cli {
namespace {

struct ViewRule {
  std::string text;
  std::string source;  // "user", "preset" or "default"
};

std::vector<ViewRule> effective_rules(const net::NetworkPolicy& policy) {
  std::vector<ViewRule> rules;
  for (const net::Rule& rule : policy.rules) rules.push_back({net::format_rule(rule), "user"});
  for (const net::Rule& rule : net::preset_rules(policy.preset))
    rules.push_back({net::format_rule(rule), "preset"});
  rules.push_back({"deny:any@any", "default"});
  return rules;
}

std::string limit_text(const net::RateLimit& limit) {
  if (limit.unlimited()) return "unlimited";
  std::vector<std::string> parts;
  if (limit.bytes_per_second != 0) {
    parts.push_back(fmt::format("{} bytes/s (burst {})", limit.bytes_per_second,
                                limit.burst_bytes ? limit.burst_bytes : limit.bytes_per_second));
  }
  if (limit.packets_per_second != 0) {
    parts.push_back(
        fmt::format("{} packets/s (burst {})", limit.packets_per_second,
                    limit.burst_packets ? limit.burst_packets : limit.packets_per_second));
  }
  return fmt::format("{}", fmt::join(parts, ", "));
}

nlohmann::json limit_json(const net::RateLimit& limit) {
  if (limit.unlimited()) return "unlimited";
  return {{"bytes_per_second", limit.bytes_per_second},
          {"packets_per_second", limit.packets_per_second},
          {"burst_bytes", limit.burst_bytes},
          {"burst_packets", limit.burst_packets}};
}

std::string port_text(const net::PublishedPort& port) {
  const bool v6 = port.bind.find(':') != std::string::npos;
  return fmt::format("{}:{} -> guest {}/{}", v6 ? "[" + port.bind + "]" : port.bind, port.host_port,
                     port.guest_port, port.udp ? "udp" : "tcp");
}

std::string dns_text(const net::DnsOptions& dns) {
  const std::string servers = dns.nameservers.empty()
                                  ? "host resolvers"
                                  : fmt::format("{}", fmt::join(dns.nameservers, ", "));
  return fmt::format("{}; rebinding protection {}; query timeout {} ms", servers,
                     dns.rebinding_protection ? "on" : "off", dns.query_timeout_ms);
}

}  // namespace

nlohmann::json network_view_json(const net::NetworkConfig& config) {
  if (!config.enabled) return {{"enabled", false}};
  nlohmann::json rules = nlohmann::json::array();
  for (const ViewRule& rule : effective_rules(config.policy))
    rules.push_back({{"rule", rule.text}, {"source", rule.source}});
  nlohmann::json ports = nlohmann::json::array();
  for (const net::PublishedPort& port : config.ports)
    ports.push_back(net::format_published_port(port));
  return {{"enabled", true},
          {"preset", net::preset_name(config.policy.preset)},
          {"rules", std::move(rules)},
          {"ports", std::move(ports)},
          {"dns",
           {{"nameservers", config.dns.nameservers},
            {"rebinding_protection", config.dns.rebinding_protection},
            {"query_timeout_ms", config.dns.query_timeout_ms}}},
          {"egress", limit_json(config.egress)},
          {"ingress", limit_json(config.ingress)},
          {"max_connections", config.max_connections}};
}

std::vector<std::string> network_view_lines(const net::NetworkConfig& config) {
  if (!config.enabled) return {"disabled (no network interface)"};
  std::vector<std::string> lines;
  lines.push_back(fmt::format("{:<17} {} preset; first match wins",
                              "policy:", net::preset_name(config.policy.preset)));
  size_t user = 0;
  for (const ViewRule& rule : effective_rules(config.policy)) {
    const std::string number = rule.source == "user" ? std::to_string(++user) : "-";
    const std::string note = rule.source == "user" ? "" : "  (" + rule.source + ")";
    lines.push_back(fmt::format("  {:>3}  {}{}", number, rule.text, note));
  }
  if (config.ports.empty()) lines.push_back(fmt::format("{:<17} none", "ports:"));
  for (const net::PublishedPort& port : config.ports)
    lines.push_back(fmt::format("{:<17} {}", "port:", port_text(port)));
  lines.push_back(fmt::format("{:<17} {}", "dns:", dns_text(config.dns)));
  lines.push_back(fmt::format("{:<17} {}", "egress limit:", limit_text(config.egress)));
  lines.push_back(fmt::format("{:<17} {}", "ingress limit:", limit_text(config.ingress)));
  lines.push_back(fmt::format("{:<17} {}", "max connections:", config.max_connections));
  return lines;
}

}  // namespace msb::cli
