// The text form of network rules and presets, shared by --net-rule, the SDK's
// Network::rule() and the stored config:
//
//   <allow|deny>[:egress|ingress|any]@<target>[:tcp|udp|icmp|any[:PORT|LO-HI|any]]
//
// Targets: any; a group (public, private, loopback, link-local, meta, multicast, host); an
// IPv4 address or CIDR block; an IPv6 address or block in brackets ([2001:db8::/32]), or
// bare when nothing follows it; a domain; *.suffix (names under it, not the apex). Keywords
// are ASCII case-insensitive. See docs/design/networking.md, "Grammar".
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "net/policy.h"

namespace msb::net {

// Longest rule text accepted, in bytes.
inline constexpr size_t kMaxRuleBytes = 1024;

// One rule. kInvalidArgument naming the offending token and its 1-based column:
// "'alow' at column 1: expected allow or deny". Thread-safe.
[[nodiscard]] Result<Rule> parse_rule(std::string_view text);

// Comma-separated rules, in order ("allow@api.example.com:tcp:443,deny@10.0.0.0/8"); spaces
// around a rule are ignored. Columns in errors count from the start of `text`. Empty text or
// an empty rule (",,") is an error. All or nothing: on error no rule is returned.
// Thread-safe.
[[nodiscard]] Result<std::vector<Rule>> parse_rules(std::string_view comma_separated);

// The canonical text of `rule`: direction only when not egress, protocol only when not any
// or when ports follow, ports only when not any, IPv6 always in brackets, a single address
// without /32 or /128. parse_rule(format_rule(r)) == r for every valid r (a kGroup target
// of Group::kAny reads back as kAny). REQUIRES: validate_rule(rule) succeeded, or the text
// may not parse. Thread-safe.
std::string format_rule(const Rule& rule);

// The target part of format_rule(): "any", "private", "10.0.0.0/8", "[fd00::/8]", ...
std::string format_target(const Target& target);

// Checks a rule built in code rather than parsed: domains canonical and valid, not a
// keyword; suffixes with at least two labels; a port range low <= high that starts at 1
// unless it is any; no ports on icmp. kInvalidArgument saying what is wrong. Thread-safe.
[[nodiscard]] Result<void> validate_rule(const Rule& rule);

// "public", "all" or "none" (ASCII case-insensitive). kInvalidArgument "unknown network
// preset 'x': use public, all or none" otherwise. Thread-safe.
[[nodiscard]] Result<Preset> parse_preset(std::string_view text);
std::string_view preset_name(Preset preset);

}  // namespace msb::net
