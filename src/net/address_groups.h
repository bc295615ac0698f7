// Named groups of addresses that policy rules can target: public, private, loopback,
// link-local, meta, multicast, host and any. See docs/design/networking.md, "Groups".
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "net/ip_address.h"

namespace msb::net {

enum class Group { kPublic, kPrivate, kLoopback, kLinkLocal, kMeta, kMulticast, kHost, kAny };

// The gateway's own addresses (v4 and v6) as the guest sees them: the "host" group.
struct HostAddresses {
  std::vector<IpAddress> addresses;

  bool operator==(const HostAddresses&) const = default;
};

// The one group other than kAny that `address` belongs to, or nullopt for the special
// ranges that are in none: unspecified, reserved, documentation, benchmarking, discard and
// the IPv6 ranges that embed an IPv4 address (the list is in address_groups.cc). Groups do
// not overlap; where ranges do, the narrower, more sensitive group wins, in this order:
// host (the gateway, though it sits in a private range), meta (169.254.169.254 and
// fd00:ec2::254, though link-local or private), loopback, link-local, private, multicast,
// special, and public for everything left. A v4-mapped v6 address is classified as the v4
// address it carries. Thread-safe.
std::optional<Group> classify(const IpAddress& address, const HostAddresses& host);

// Whether `address` is in `group`: kAny holds every address, any other group the addresses
// classify() puts in it. So allow@link-local never opens the metadata address, and
// allow@private never opens the gateway. Thread-safe.
bool in_group(Group group, const IpAddress& address, const HostAddresses& host);

// "public", "private", "loopback", "link-local", "meta", "multicast", "host", "any".
std::string_view group_name(Group group);

// The inverse of group_name(), ASCII case-insensitive. kInvalidArgument "unknown address
// group '<text>'" otherwise. Thread-safe.
[[nodiscard]] Result<Group> parse_group(std::string_view text);

// Every group, in declaration order.
inline constexpr Group kAllGroups[] = {Group::kPublic,    Group::kPrivate, Group::kLoopback,
                                       Group::kLinkLocal, Group::kMeta,    Group::kMulticast,
                                       Group::kHost,      Group::kAny};

}  // namespace msb::net
