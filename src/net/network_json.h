// The JSON form of NetworkConfig, the "network" object of a stored sandbox config
// (config/sandbox_config.h). Rules are stored as their canonical text (format_rule()), so a
// stored config reads like the flags that made it.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include "common/error.h"
#include "net/network_config.h"

namespace msb::net {

// {"enabled", "preset", "rules": ["allow@..."], "ports": [{"bind", "host_port",
// "guest_port", "protocol": "tcp"|"udp"}], "dns": {"nameservers", "rebinding_protection",
// "query_timeout_ms"}, "egress"/"ingress": {"bytes_per_second", "packets_per_second",
// "burst_bytes", "burst_packets"}, "max_connections"}. Every field is written. Never fails;
// thread-safe.
nlohmann::json network_to_json(const NetworkConfig& config);

// Reads the form network_to_json() writes. Missing keys keep their defaults, unknown keys are
// ignored. kInvalidConfig "sandbox config: network.<field>: <what>" when `value` is not an
// object, a field has the wrong type or range, or a rule or the preset does not parse
// ("sandbox config: network.rules[1]: 'alow' at column 1: expected allow or deny"). Does not
// validate_network() the result. Never throws; thread-safe.
[[nodiscard]] Result<NetworkConfig> network_from_json(const nlohmann::json& value);

}  // namespace msb::net
