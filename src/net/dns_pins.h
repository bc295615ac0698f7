// Which names a sandbox resolved to which addresses, for as long as the answers live: what
// lets a policy written in names ("allow api.example.com") judge a connection to an address.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "net/ip_address.h"

namespace msb::net {

// A bounded set of (address, name) pins, each with an expiry. Addresses are kept unmapped
// (IpAddress::unmapped()), so ::ffff:a.b.c.d finds the pins of a.b.c.d. Names are kept
// canonical (canonical_dns_name()).
//
// CNAME chains: for "www.example.com CNAME edge.cdn.net, edge.cdn.net A 192.0.2.1" the
// caller pins 192.0.2.1 under every owner in the chain, www.example.com and edge.cdn.net,
// so a rule naming either one matches the connection that follows.
//
// Not thread-safe: the supervisor's network loop owns one per sandbox.
class DnsPins {
 public:
  // A pin lasts at least this long, whatever the TTL: a TTL-0 answer must still let
  // through the connect the guest makes right after it.
  static constexpr std::chrono::seconds kDefaultMinimumTtl{30};
  // And at most this long, whatever the TTL (up to 68 years on the wire).
  static constexpr std::chrono::seconds kMaximumLifetime{24 * 60 * 60};

  explicit DnsPins(size_t capacity = 4096, std::chrono::seconds minimum_ttl = kDefaultMinimumTtl);

  // Pins `name` to `address` until now + clamp(ttl, minimum_ttl, 1 day). Pinning a pair again
  // keeps the later of its two expiries. At capacity, first drops expired pins, then the pin
  // expiring soonest. A capacity of 0 pins nothing.
  void add(const IpAddress& address, std::string_view name, uint32_t ttl_seconds,
           std::chrono::steady_clock::time_point now);
  // The names pinned to `address` that have not expired at `now`, sorted.
  std::vector<std::string> names_for(const IpAddress& address,
                                     std::chrono::steady_clock::time_point now) const;
  // Drops every pin expired at `now`.
  void expire(std::chrono::steady_clock::time_point now);
  // Pins held, expired ones not yet dropped included.
  size_t size() const { return expiries_.size(); }

 private:
  using Key = std::pair<IpAddress, std::string>;
  using TimePoint = std::chrono::steady_clock::time_point;

  void remove(const Key& key);

  size_t capacity_;
  std::chrono::seconds minimum_ttl_;
  std::map<Key, TimePoint> expiries_;
  std::set<std::pair<TimePoint, Key>> by_expiry_;  // the same pins, soonest first
};

}  // namespace msb::net
