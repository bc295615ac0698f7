#include "net/network_config.h"

#include <fmt/format.h>

#include <algorithm>
#include <optional>

#include "net/rule_grammar.h"

namespace msb::net {
namespace {

tl::unexpected<Error> invalid(std::string_view message) {
  return make_error(ErrorKind::kInvalidConfig, fmt::format("invalid config: {}", message));
}

Result<void> validate_rules(const NetworkPolicy& policy) {
  for (size_t i = 0; i < policy.rules.size(); ++i) {
    Result<void> valid = validate_rule(policy.rules[i]);
    if (!valid) {
      return invalid(fmt::format("network rule {} '{}': {}", i + 1, format_rule(policy.rules[i]),
                                 valid.error().message));
    }
  }
  return {};
}

std::string_view protocol_of(const PublishedPort& port) { return port.udp ? "udp" : "tcp"; }

Result<void> validate_port(const PublishedPort& port) {
  const std::string name = fmt::format("published port {}:{}", port.host_port, port.guest_port);
  if (port.host_port == 0) return invalid(name + ": the host port must be 1-65535");
  if (port.guest_port == 0) return invalid(name + ": the guest port must be 1-65535");
  if (!IpAddress::parse(port.bind))
    return invalid(fmt::format("{}: bind address '{}' is not an IP address", name, port.bind));
  return {};
}

// 0.0.0.0 or ::, which listen on every address of their family.
bool is_wildcard(const IpAddress& address) {
  return std::all_of(address.bytes().begin(), address.bytes().end(),
                     [](uint8_t byte) { return byte == 0; });
}

// Two ports the host could not both bind: same protocol and port, and the same address or
// one the wildcard of the other's family.
Result<void> validate_overlap(const PublishedPort& a, const PublishedPort& b) {
  if (a.udp != b.udp || a.host_port != b.host_port) return {};
  const IpAddress x = IpAddress::parse(a.bind).value();
  const IpAddress y = IpAddress::parse(b.bind).value();
  if (x == y) {
    return invalid(fmt::format("published port {}/{} on {} is given twice", a.host_port,
                               protocol_of(a), a.bind));
  }
  if (x.is_v4() == y.is_v4() && (is_wildcard(x) || is_wildcard(y))) {
    return invalid(fmt::format("published port {}/{} is bound on both {} and {}, which overlap",
                               a.host_port, protocol_of(a), a.bind, b.bind));
  }
  return {};
}

enum class Verdict { kSkip, kMayAdmit, kBlocksAll };

// What `rule` means for ingress to `port` from a client not known in advance.
Verdict ingress_verdict(const Rule& rule, const PublishedPort& port) {
  if (rule.direction == Direction::kEgress) return Verdict::kSkip;
  const Protocol protocol = port.udp ? Protocol::kUdp : Protocol::kTcp;
  if (rule.protocol != Protocol::kAny && rule.protocol != protocol) return Verdict::kSkip;
  if (!rule.ports.contains(port.guest_port)) return Verdict::kSkip;
  if (rule.action == Action::kAllow) return Verdict::kMayAdmit;
  const bool any_target =
      rule.target.kind == Target::Kind::kAny ||
      (rule.target.kind == Target::Kind::kGroup && rule.target.group == Group::kAny);
  return any_target ? Verdict::kBlocksAll : Verdict::kSkip;
}

// Why no ingress flow to `port` can ever be admitted, or nullopt when one may be.
std::optional<std::string> ingress_blocker(const NetworkPolicy& policy, const PublishedPort& port) {
  for (size_t i = 0; i < policy.rules.size(); ++i) {
    Verdict verdict = ingress_verdict(policy.rules[i], port);
    if (verdict == Verdict::kMayAdmit) return std::nullopt;
    if (verdict == Verdict::kBlocksAll)
      return fmt::format("rule {} '{}' denies ingress", i + 1, format_rule(policy.rules[i]));
  }
  for (const Rule& rule : preset_rules(policy.preset)) {
    Verdict verdict = ingress_verdict(rule, port);
    if (verdict == Verdict::kMayAdmit) return std::nullopt;
    if (verdict == Verdict::kBlocksAll) break;
  }
  return fmt::format("policy '{}' denies ingress", preset_name(policy.preset));
}

Result<void> validate_ports(const NetworkConfig& config) {
  if (!config.enabled && !config.ports.empty())
    return invalid("published ports need the network, but it is disabled (--no-net)");
  for (size_t i = 0; i < config.ports.size(); ++i) {
    MSB_TRY(validate_port(config.ports[i]));
    for (size_t j = 0; j < i; ++j) MSB_TRY(validate_overlap(config.ports[j], config.ports[i]));
  }
  for (const PublishedPort& port : config.ports) {
    std::optional<std::string> blocker = ingress_blocker(config.policy, port);
    if (blocker) {
      return invalid(
          fmt::format("published port {} is unreachable: {}; add --net-rule allow:ingress@any",
                      port.host_port, *blocker));
    }
  }
  return {};
}

Result<void> validate_dns(const DnsOptions& dns) {
  for (const std::string& server : dns.nameservers) {
    Result<Nameserver> parsed = parse_nameserver(server);
    if (!parsed) return invalid(parsed.error().message);
  }
  if (dns.query_timeout_ms == 0 || dns.query_timeout_ms > kMaxDnsQueryTimeoutMs) {
    return invalid(fmt::format("DNS query timeout must be from 1 to {} ms, got {} ms",
                               kMaxDnsQueryTimeoutMs, dns.query_timeout_ms));
  }
  return {};
}

Result<void> validate_limit(std::string_view direction, const RateLimit& limit) {
  if (limit.burst_bytes != 0 && limit.bytes_per_second == 0)
    return invalid(fmt::format("the {} bandwidth burst needs a bandwidth", direction));
  if (limit.burst_packets != 0 && limit.packets_per_second == 0)
    return invalid(fmt::format("the {} packet burst needs a packet rate", direction));
  const uint64_t bucket = limit.burst_bytes != 0 ? limit.burst_bytes : limit.bytes_per_second;
  if (bucket != 0 && bucket < kMinBurstBytes) {
    return invalid(fmt::format(
        "the {} byte bucket holds {} bytes, less than one full frame ({} bytes): raise the "
        "bandwidth or its burst",
        direction, bucket, kMinBurstBytes));
  }
  return {};
}

}  // namespace

Result<void> validate_network(const NetworkConfig& config) {
  if (config.max_connections == 0 || config.max_connections > kMaxConnectionsLimit) {
    return invalid(fmt::format("max connections must be from 1 to {}, got {}", kMaxConnectionsLimit,
                               config.max_connections));
  }
  MSB_TRY(validate_rules(config.policy));
  MSB_TRY(validate_ports(config));
  MSB_TRY(validate_dns(config.dns));
  MSB_TRY(validate_limit("egress", config.egress));
  return validate_limit("ingress", config.ingress);
}

}  // namespace msb::net
