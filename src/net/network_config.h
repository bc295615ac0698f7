// The network section of a sandbox's config: whether it has a NIC, the policy, published
// ports, DNS options, rate limits and the connection cap. Pure values; validate_network()
// is the one check, run by config::validate(). See docs/design/networking.md.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/error.h"
#include "net/policy.h"
#include "net/published_port.h"

namespace msb::net {

inline constexpr uint32_t kDefaultMaxConnections = 256;
inline constexpr uint32_t kMaxConnectionsLimit = 65536;
inline constexpr uint32_t kDefaultDnsQueryTimeoutMs = 5000;
inline constexpr uint32_t kMaxDnsQueryTimeoutMs = 60000;
// An Ethernet frame at MTU 1500 without its FCS: a byte bucket must hold at least one.
inline constexpr uint64_t kMinBurstBytes = 1514;

struct DnsOptions {
  // Upstream servers, tried in order: "IP", "IP:PORT", "[IPv6]:PORT" (parse_nameserver()).
  // Empty: the host's resolvers.
  std::vector<std::string> nameservers;
  // Drop answers that point a name at a non-public address unless a user rule allows that
  // address (answer_allowed()).
  bool rebinding_protection = true;
  uint32_t query_timeout_ms = kDefaultDnsQueryTimeoutMs;  // per upstream attempt

  bool operator==(const DnsOptions&) const = default;
};

// Token buckets for one direction. 0 is unlimited for a rate; for a burst, one second's
// worth of its rate.
struct RateLimit {
  uint64_t bytes_per_second = 0;
  uint64_t packets_per_second = 0;
  uint64_t burst_bytes = 0;
  uint64_t burst_packets = 0;

  bool unlimited() const { return bytes_per_second == 0 && packets_per_second == 0; }
  bool operator==(const RateLimit&) const = default;
};

struct NetworkConfig {
  bool enabled = true;  // false: no NIC at all (--no-net)
  NetworkPolicy policy;
  std::vector<PublishedPort> ports;
  DnsOptions dns;
  RateLimit egress;                                   // guest -> world
  RateLimit ingress;                                  // world -> guest
  uint32_t max_connections = kDefaultMaxConnections;  // concurrent TCP + UDP flows

  bool operator==(const NetworkConfig&) const = default;
};

// Checks, in this order, and returns the first failure as kInvalidConfig "invalid config:
// <what>": max_connections 1-65536; every rule (validate_rule()); no published ports when
// disabled; each port's ports 1-65535 and bind an IP; no two ports on the same protocol and
// host port whose binds are equal or one the wildcard of the other's family; each port
// reachable: some rule may admit ingress to it ("published port 8080 is unreachable: policy
// 'none' denies ingress; add --net-rule allow:ingress@any"); nameservers IP[:PORT]; the
// query timeout 1-60000 ms; per direction, no burst without its rate and a byte bucket of
// at least one frame (1514 bytes). Thread-safe.
[[nodiscard]] Result<void> validate_network(const NetworkConfig& config);

}  // namespace msb::net
