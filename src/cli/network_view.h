// The network section as `msb inspect` shows it: the effective policy (the user's rules,
// then the preset's, then the final deny, in canonical text), ports, DNS and limits.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "net/network_config.h"

namespace msb::cli {

// {"enabled", "preset", "rules": [{"rule", "source": "user"|"preset"|"default"}] in the order
// they are checked, "ports": ["127.0.0.1:8080:80"], "dns": {"nameservers",
// "rebinding_protection", "query_timeout_ms"}, "egress"/"ingress": {...} or "unlimited",
// "max_connections"}; just {"enabled": false} without a NIC. Thread-safe.
nlohmann::json network_view_json(const net::NetworkConfig& config);

// The same as lines of text, without indentation or trailing newlines. Thread-safe.
std::vector<std::string> network_view_lines(const net::NetworkConfig& config);

}  // namespace msb::cli
