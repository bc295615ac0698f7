// What a public microsandbox::Network holds, and its translation into net::NetworkConfig.
#pragma once

#include <string>
#include <vector>

#include "common/error.h"
#include "microsandbox/network.h"
#include "net/network_config.h"

namespace microsandbox {

// Texts are kept as given and parsed by network_config(), so that a fluent chain never
// throws and every mistake surfaces from create() as kInvalidConfig.
struct Network::Impl {
  std::string preset = "public";
  std::vector<std::string> rules;  // each one rule or a comma-separated list
  std::vector<msb::net::PublishedPort> ports;
  msb::net::DnsOptions dns;
  msb::net::RateLimit egress;
  msb::net::RateLimit ingress;
  uint32_t max_connections = msb::net::kDefaultMaxConnections;
};

struct NetworkAccess {
  static const Network::Impl& impl(const Network& network) { return *network.impl_; }
};

}  // namespace microsandbox

namespace msb::sdk {

// The config `network` describes, with its preset and rules parsed. kInvalidConfig "invalid
// config: network rule 'alow@x': 'alow' at column 1: expected allow or deny" (or the
// preset's error). The rest is left to config::validate(). Thread-safe.
Result<net::NetworkConfig> network_config(const microsandbox::Network& network);

}  // namespace msb::sdk
