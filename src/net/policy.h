// The network policy: user rules, then the preset's rules, first match wins, and a final
// deny. Pure values and pure functions: the packet filter asks evaluate() about each new
// flow, the DNS interceptor asks evaluate_name() about each question and answer_allowed()
// about each answer. See docs/design/networking.md.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "net/address_groups.h"
#include "net/ip_address.h"

namespace msb::net {

enum class Action { kAllow, kDeny };
// kEgress: the guest opens the flow; kIngress: a client of a published port opens it.
enum class Direction { kEgress, kIngress, kAny };
enum class Protocol { kTcp, kUdp, kIcmp, kAny };

// An inclusive range of ports. The default, 0-65535, is "any port"; a range that is not any
// matches TCP and UDP flows only, never ICMP (which has no ports).
struct PortRange {
  uint16_t low = 0;
  uint16_t high = 65535;

  bool any() const { return low == 0 && high == 65535; }
  bool contains(uint16_t port) const { return port >= low && port <= high; }
  bool operator==(const PortRange&) const = default;
};

// What a rule names on the far side of a flow.
struct Target {
  enum class Kind { kAny, kCidr, kDomain, kSuffix, kGroup };

  Kind kind = Kind::kAny;
  Cidr cidr;                  // kCidr; a v4-mapped v6 block is stored as its v4 block
  std::string domain;         // kDomain, kSuffix: canonical (lower case, no trailing dot); for
                              // kSuffix without the leading "*."
  Group group = Group::kAny;  // kGroup

  bool operator==(const Target&) const = default;
};

struct Rule {
  Action action = Action::kDeny;
  Direction direction = Direction::kEgress;
  Target target;
  Protocol protocol = Protocol::kAny;
  PortRange ports;

  bool operator==(const Rule&) const = default;
};

// public (the default): the public internet, nothing local. all: everything. none: nothing,
// ingress included.
enum class Preset { kPublic, kAll, kNone };

struct NetworkPolicy {
  Preset preset = Preset::kPublic;
  std::vector<Rule> rules;  // the user's, checked before the preset's

  bool operator==(const NetworkPolicy&) const = default;
};

// A new connection (TCP), association (UDP) or echo (ICMP) as the filter sees it.
struct Flow {
  Direction direction = Direction::kEgress;  // kEgress or kIngress
  Protocol protocol = Protocol::kTcp;        // kTcp, kUdp or kIcmp
  IpAddress remote;   // egress: the destination; ingress: the connecting client
  uint16_t port = 0;  // egress: the remote port; ingress: the guest port; 0 for ICMP
  // The names `remote` is pinned to: the ones this sandbox resolved to it through the DNS
  // interceptor. Domain and suffix rules match these, never reverse lookups.
  std::vector<std::string> names;
};

struct Decision {
  Action action = Action::kDeny;
  int rule = -1;  // index into NetworkPolicy::rules; -1 when the preset or the final deny decided

  bool operator==(const Decision&) const = default;
};

// The preset's rules as a user would write them, in the order they are checked:
//   public: deny@meta, deny@host, deny@loopback, deny@link-local, deny@private,
//           deny@multicast, allow@public, allow:ingress@any
//   all:    allow:any@any
//   none:   deny:any@any
// Special addresses (classify() == nullopt) match no public rule: the final deny takes
// them. Thread-safe.
std::vector<Rule> preset_rules(Preset preset);

// Whether `rule` applies to `flow`: direction, protocol, ports and target all match. The
// target is matched against flow.remote.unmapped() (CIDR and groups) or flow.names
// (domain: a name equal to it; suffix: a name under it, the apex excluded). Names in
// flow.names are compared in canonical form. Thread-safe.
bool matches(const Rule& rule, const Flow& flow, const HostAddresses& host);

// The first user rule that matches decides, then the first preset rule that matches, then
// a final deny. Thread-safe.
Decision evaluate(const NetworkPolicy& policy, const Flow& flow, const HostAddresses& host);

// Whether the DNS interceptor answers a question for `name` (else NXDOMAIN). The first user
// rule with direction egress or any, a target of any, a domain equal to the name or a
// suffix the name is under, decides: an allow whatever its protocol and ports (the name is
// needed to use them), a deny only when it covers every protocol and port (deny@x:tcp:25
// leaves x resolvable for everything else). Address and group rules are skipped: a name
// has no address yet. When no rule decides, the preset does: public and all allow, none
// denies. Thread-safe.
Action evaluate_name(const NetworkPolicy& policy, std::string_view name);

// Rebinding protection: whether the interceptor may pass on an answer that points `name`
// at `address`. True when the address is public; otherwise only when an explicit user
// allow naming the address (a CIDR, or a group other than any, with direction egress or
// any) comes before every user deny covering it (a CIDR, group or any target, for every
// protocol and port). Domain rules never make a private answer allowed, nor do the
// preset's rules: allow@public or `all` do not open private answers. Special addresses
// (0.0.0.0, documentation ranges, ...) are not public. `name` is unused today; it is here
// so that a name-scoped exemption needs no signature change. Thread-safe.
bool answer_allowed(const NetworkPolicy& policy, std::string_view name, const IpAddress& address,
                    const HostAddresses& host);

// "allow"/"deny", "egress"/"ingress"/"any", "tcp"/"udp"/"icmp"/"any".
std::string_view action_name(Action action);
std::string_view direction_name(Direction direction);
std::string_view protocol_name(Protocol protocol);

}  // namespace msb::net
