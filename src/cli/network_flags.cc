#include "cli/network_flags.h"

#include "cli/rate_text.h"
#include "net/rule_grammar.h"

namespace msb::cli {
namespace {

void add_rate_flags(CLI::App& app, const std::string& direction, RateFlags& flags) {
  const std::string prefix = "--net-" + direction;
  app.add_option(
      prefix + "-bandwidth", flags.bandwidth,
      "Bytes per second " + direction + ": SIZE or SIZE/DURATION (1M, 512K, 1M/1s; K = 1024)");
  app.add_option(
      prefix + "-bandwidth-burst", flags.bandwidth_burst,
      "Bytes " + direction + " may burst above the bandwidth (default: one second's worth)");
  app.add_option(prefix + "-ops", flags.ops,
                 "Packets per second " + direction + ": N or N/DURATION (1000, 100/100ms)");
  app.add_option(
      prefix + "-ops-burst", flags.ops_burst,
      "Packets " + direction + " may burst above the rate (default: one second's worth)");
}

// `text` through `parse` unless empty; errors name the flag and its value.
Result<uint64_t> parsed_or_zero(const std::string& flag, const std::string& text,
                                Result<uint64_t> (*parse)(std::string_view)) {
  if (text.empty()) return uint64_t{0};
  return parse(text).context("{} '{}'", flag, text);
}

Result<net::RateLimit> rate_limit(const std::string& direction, const RateFlags& flags) {
  const std::string prefix = "--net-" + direction;
  net::RateLimit limit;
  limit.bytes_per_second =
      MSB_TRY(parsed_or_zero(prefix + "-bandwidth", flags.bandwidth, parse_byte_rate));
  limit.burst_bytes =
      MSB_TRY(parsed_or_zero(prefix + "-bandwidth-burst", flags.bandwidth_burst, parse_size));
  limit.packets_per_second = MSB_TRY(parsed_or_zero(prefix + "-ops", flags.ops, parse_packet_rate));
  limit.burst_packets =
      MSB_TRY(parsed_or_zero(prefix + "-ops-burst", flags.ops_burst, parse_count));
  return limit;
}

}  // namespace

void NetworkFlags::add_to(CLI::App& app) {
  CLI::Option* preset =
      app.add_option("--net", preset_, "Network preset: public (default), all or none");
  CLI::Option* rules = app.add_option(
      "--net-rule", rules_,
      "Policy rules, first match wins, before the preset's (repeatable, comma-separated): "
      "<allow|deny>[:egress|ingress|any]@<target>[:tcp|udp|icmp|any[:PORT|LO-HI|any]]");
  CLI::Option* ports = app.add_option(
      "-p,--port,--publish", ports_,
      "Publish a port [BIND:]HOST:GUEST[/udp] (repeatable; BIND defaults to 127.0.0.1, IPv6 in "
      "brackets)");
  app.add_flag("--no-net", no_net_, "No network interface at all")
      ->excludes(preset)
      ->excludes(rules)
      ->excludes(ports);
  app.add_option("--dns-nameserver", nameservers_,
                 "Upstream DNS server IP[:PORT] (repeatable; default: the host's resolvers)");
  app.add_flag("--no-dns-rebind-protection", no_rebind_protection_,
               "Pass DNS answers that point names at private addresses");
  app.add_option("--dns-query-timeout-ms", query_timeout_ms_,
                 "Per-query timeout of the upstream DNS servers (default 5000)");
  add_rate_flags(app, "egress", egress_);
  add_rate_flags(app, "ingress", ingress_);
  app.add_option("--max-connections", max_connections_,
                 "Most concurrent TCP connections and UDP flows (default 256)");
}

Result<net::NetworkConfig> NetworkFlags::to_config() const {
  net::NetworkConfig config;
  config.enabled = !no_net_;
  if (!preset_.empty()) config.policy.preset = MSB_TRY(net::parse_preset(preset_).context("--net"));
  for (const std::string& text : rules_) {
    std::vector<net::Rule> rules = MSB_TRY(net::parse_rules(text).context("--net-rule '{}'", text));
    config.policy.rules.insert(config.policy.rules.end(), rules.begin(), rules.end());
  }
  for (const std::string& text : ports_)
    config.ports.push_back(MSB_TRY(net::parse_published_port(text)));
  config.dns.nameservers = nameservers_;
  config.dns.rebinding_protection = !no_rebind_protection_;
  config.dns.query_timeout_ms = query_timeout_ms_;
  config.egress = MSB_TRY(rate_limit("egress", egress_));
  config.ingress = MSB_TRY(rate_limit("ingress", ingress_));
  config.max_connections = max_connections_;
  return config;
}

}  // namespace msb::cli
