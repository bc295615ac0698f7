#include "net/policy.h"

#include <algorithm>

#include "net/domain_name.h"

namespace msb::net {
namespace {

Rule group_rule(Action action, Direction direction, Group group) {
  Rule rule;
  rule.action = action;
  rule.direction = direction;
  if (group == Group::kAny) return rule;
  rule.target.kind = Target::Kind::kGroup;
  rule.target.group = group;
  return rule;
}

bool direction_matches(Direction rule, Direction flow) {
  return rule == Direction::kAny || rule == flow;
}

bool is_egress_side(Direction direction) { return direction != Direction::kIngress; }

bool protocol_matches(Protocol rule, Protocol flow) {
  return rule == Protocol::kAny || rule == flow;
}

// A port range that is not "any" says nothing about ICMP, so it never matches it.
bool ports_match(const PortRange& ports, const Flow& flow) {
  if (ports.any()) return true;
  if (flow.protocol != Protocol::kTcp && flow.protocol != Protocol::kUdp) return false;
  return ports.contains(flow.port);
}

bool any_name(const Flow& flow, auto&& predicate) {
  return std::any_of(flow.names.begin(), flow.names.end(),
                     [&](const std::string& name) { return predicate(canonical_name(name)); });
}

bool target_matches(const Target& target, const Flow& flow, const HostAddresses& host) {
  switch (target.kind) {
    case Target::Kind::kAny:
      return true;
    case Target::Kind::kCidr:
      return target.cidr.contains(flow.remote.unmapped());
    case Target::Kind::kDomain:
      return any_name(flow, [&](const std::string& name) { return name == target.domain; });
    case Target::Kind::kSuffix:
      return any_name(flow, [&](const std::string& name) { return is_under(name, target.domain); });
    case Target::Kind::kGroup:
      return in_group(target.group, flow.remote, host);
  }
  MSB_CHECK(false);
}

bool is_any_target(const Target& target) {
  return target.kind == Target::Kind::kAny ||
         (target.kind == Target::Kind::kGroup && target.group == Group::kAny);
}

// Covers every protocol and port: only such a deny decides a whole name or address.
bool is_whole(const Rule& rule) { return rule.protocol == Protocol::kAny && rule.ports.any(); }

bool name_matches(const Target& target, std::string_view name) {
  switch (target.kind) {
    case Target::Kind::kAny:
      return true;
    case Target::Kind::kDomain:
      return name == target.domain;
    case Target::Kind::kSuffix:
      return is_under(name, target.domain);
    case Target::Kind::kCidr:
      return false;
    case Target::Kind::kGroup:
      return target.group == Group::kAny;
  }
  MSB_CHECK(false);
}

bool address_target_covers(const Target& target, const IpAddress& address,
                           const HostAddresses& host) {
  switch (target.kind) {
    case Target::Kind::kCidr:
      return target.cidr.contains(address);
    case Target::Kind::kGroup:
      return in_group(target.group, address, host);
    default:
      return false;
  }
}

std::vector<Rule> make_preset_rules(Preset preset) {
  using enum Action;
  using enum Direction;
  switch (preset) {
    case Preset::kPublic:
      return {group_rule(kDeny, kEgress, Group::kMeta), group_rule(kDeny, kEgress, Group::kHost),
              group_rule(kDeny, kEgress, Group::kLoopback),
              group_rule(kDeny, kEgress, Group::kLinkLocal),
              group_rule(kDeny, kEgress, Group::kPrivate),
              group_rule(kDeny, kEgress, Group::kMulticast),
              group_rule(kAllow, kEgress, Group::kPublic),
              // Ingress reaches only the ports the user published, so it needs no narrowing.
              group_rule(kAllow, kIngress, Group::kAny)};
    case Preset::kAll:
      return {group_rule(kAllow, kAny, Group::kAny)};
    case Preset::kNone:
      return {group_rule(kDeny, kAny, Group::kAny)};
  }
  MSB_CHECK(false);
}

// Built once: evaluate() runs for every new flow.
const std::vector<Rule>& preset_table(Preset preset) {
  static const std::vector<Rule> kTables[] = {make_preset_rules(Preset::kPublic),
                                              make_preset_rules(Preset::kAll),
                                              make_preset_rules(Preset::kNone)};
  return kTables[static_cast<size_t>(preset)];
}

}  // namespace

std::vector<Rule> preset_rules(Preset preset) { return preset_table(preset); }

bool matches(const Rule& rule, const Flow& flow, const HostAddresses& host) {
  return direction_matches(rule.direction, flow.direction) &&
         protocol_matches(rule.protocol, flow.protocol) && ports_match(rule.ports, flow) &&
         target_matches(rule.target, flow, host);
}

Decision evaluate(const NetworkPolicy& policy, const Flow& flow, const HostAddresses& host) {
  for (size_t i = 0; i < policy.rules.size(); ++i) {
    if (matches(policy.rules[i], flow, host)) return {policy.rules[i].action, static_cast<int>(i)};
  }
  for (const Rule& rule : preset_table(policy.preset)) {
    if (matches(rule, flow, host)) return {rule.action, -1};
  }
  return {Action::kDeny, -1};
}

Action evaluate_name(const NetworkPolicy& policy, std::string_view name) {
  const std::string canonical = canonical_name(name);
  for (const Rule& rule : policy.rules) {
    if (!is_egress_side(rule.direction) || !name_matches(rule.target, canonical)) continue;
    if (rule.action == Action::kAllow || is_whole(rule)) return rule.action;
  }
  return policy.preset == Preset::kNone ? Action::kDeny : Action::kAllow;
}

// SECURITY: a private answer passes only on the user's explicit word for that address.
bool answer_allowed(const NetworkPolicy& policy, std::string_view /*name*/,
                    const IpAddress& address, const HostAddresses& host) {
  const IpAddress plain = address.unmapped();
  if (classify(plain, host) == Group::kPublic) return true;
  for (const Rule& rule : policy.rules) {
    if (!is_egress_side(rule.direction)) continue;
    if (rule.action == Action::kDeny) {
      const bool covers =
          is_any_target(rule.target) || address_target_covers(rule.target, plain, host);
      if (covers && is_whole(rule)) return false;
    } else if (!is_any_target(rule.target) && address_target_covers(rule.target, plain, host)) {
      return true;
    }
  }
  return false;
}

std::string_view action_name(Action action) { return action == Action::kAllow ? "allow" : "deny"; }

std::string_view direction_name(Direction direction) {
  switch (direction) {
    case Direction::kEgress:
      return "egress";
    case Direction::kIngress:
      return "ingress";
    case Direction::kAny:
      return "any";
  }
  MSB_CHECK(false);
}

std::string_view protocol_name(Protocol protocol) {
  switch (protocol) {
    case Protocol::kTcp:
      return "tcp";
    case Protocol::kUdp:
      return "udp";
    case Protocol::kIcmp:
      return "icmp";
    case Protocol::kAny:
      return "any";
  }
  MSB_CHECK(false);
}

}  // namespace msb::net
