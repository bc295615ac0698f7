#include "net/address_groups.h"

#include <algorithm>
#include <array>

namespace msb::net {
namespace {

// REQUIRES: `text` is a valid CIDR (these are constants).
Cidr block(std::string_view text) {
  Result<Cidr> cidr = Cidr::parse(text);
  MSB_CHECK(cidr.has_value());
  return *cidr;
}

bool in_any(const std::vector<Cidr>& blocks, const IpAddress& address) {
  return std::any_of(blocks.begin(), blocks.end(),
                     [&](const Cidr& cidr) { return cidr.contains(address); });
}

struct Ranges {
  std::vector<Cidr> meta = {block("169.254.169.254"), block("fd00:ec2::254")};
  std::vector<Cidr> loopback = {block("127.0.0.0/8"), block("::1")};
  std::vector<Cidr> link_local = {block("169.254.0.0/16"), block("fe80::/10")};
  std::vector<Cidr> private_ = {block("10.0.0.0/8"), block("172.16.0.0/12"),
                                block("192.168.0.0/16"), block("100.64.0.0/10"), block("fc00::/7")};
  std::vector<Cidr> multicast = {block("224.0.0.0/4"), block("ff00::/8")};
  // Neither public nor in a named group, so only a CIDR rule or `any` reaches them. The
  // documentation ranges (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32,
  // 3fff::/20) are public on purpose: nothing routes them on the internet, so that opens
  // nothing real, and they are the "internet" of the network tests (tests/support/net_world.h).
  std::vector<Cidr> special = {
      block("0.0.0.0/8"),       // "this network", 0.0.0.0 included (RFC 791)
      block("192.0.0.0/24"),    // IETF protocol assignments (RFC 6890)
      block("192.88.99.0/24"),  // deprecated 6to4 relay anycast (RFC 7526)
      block("198.18.0.0/15"),   // benchmarking (RFC 2544)
      block("240.0.0.0/4"),     // reserved, 255.255.255.255 broadcast included (RFC 1112)
      block("::/96"),           // unspecified and the deprecated IPv4-compatible (RFC 4291)
      block("100::/64"),        // discard-only (RFC 6666)
      block("2001:2::/48"),     // benchmarking (RFC 5180)
      block("fec0::/10"),       // deprecated site-local (RFC 3879)
      // SECURITY: NAT64 and 6to4 addresses carry an IPv4 address that a translator on the
      // host's network would reach, private ones included, so they are never "public".
      block("64:ff9b::/96"),    // NAT64 well-known prefix (RFC 6052)
      block("64:ff9b:1::/48"),  // NAT64 local use (RFC 8215)
      block("2002::/16"),       // 6to4 (RFC 3056)
  };
};

const Ranges& ranges() {
  static const Ranges kRanges;
  return kRanges;
}

bool is_host(const IpAddress& address, const HostAddresses& host) {
  return std::any_of(host.addresses.begin(), host.addresses.end(),
                     [&](const IpAddress& own) { return own.unmapped() == address; });
}

constexpr std::array<std::string_view, 8> kNames = {"public", "private",   "loopback", "link-local",
                                                    "meta",   "multicast", "host",     "any"};

bool equal_ignoring_case(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; };
           return lower(x) == lower(y);
         });
}

}  // namespace

// SECURITY: the order below is what keeps meta and the host closed behind broader allows.
std::optional<Group> classify(const IpAddress& address, const HostAddresses& host) {
  const IpAddress plain = address.unmapped();
  const Ranges& all = ranges();
  if (is_host(plain, host)) return Group::kHost;
  if (in_any(all.meta, plain)) return Group::kMeta;
  if (in_any(all.loopback, plain)) return Group::kLoopback;
  if (in_any(all.link_local, plain)) return Group::kLinkLocal;
  if (in_any(all.private_, plain)) return Group::kPrivate;
  if (in_any(all.multicast, plain)) return Group::kMulticast;
  if (in_any(all.special, plain)) return std::nullopt;
  return Group::kPublic;
}

bool in_group(Group group, const IpAddress& address, const HostAddresses& host) {
  return group == Group::kAny || classify(address, host) == group;
}

std::string_view group_name(Group group) { return kNames[static_cast<size_t>(group)]; }

Result<Group> parse_group(std::string_view text) {
  for (Group group : kAllGroups) {
    if (equal_ignoring_case(text, group_name(group))) return group;
  }
  return err(ErrorKind::kInvalidArgument, "unknown address group '{}'", text);
}

}  // namespace msb::net
