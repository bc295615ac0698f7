#include "net/dns_pins.h"

#include <algorithm>

#include "net/dns_name.h"

namespace msb::net {

DnsPins::DnsPins(size_t capacity, std::chrono::seconds minimum_ttl)
    : capacity_(capacity),
      minimum_ttl_(std::clamp(minimum_ttl, std::chrono::seconds(0), kMaximumLifetime)) {}

void DnsPins::add(const IpAddress& address, std::string_view name, uint32_t ttl_seconds,
                  TimePoint now) {
  if (capacity_ == 0) return;
  const std::chrono::seconds lifetime =
      std::clamp(std::chrono::seconds(ttl_seconds), minimum_ttl_, kMaximumLifetime);
  Key key{address.unmapped(), canonical_dns_name(name)};
  TimePoint expiry = now + lifetime;
  if (auto found = expiries_.find(key); found != expiries_.end()) {
    expiry = std::max(expiry, found->second);
    remove(key);
  }
  if (expiries_.size() >= capacity_) expire(now);
  if (expiries_.size() >= capacity_) remove(by_expiry_.begin()->second);
  expiries_.emplace(key, expiry);
  by_expiry_.emplace(expiry, std::move(key));
}

std::vector<std::string> DnsPins::names_for(const IpAddress& address, TimePoint now) const {
  std::vector<std::string> names;
  const IpAddress unmapped = address.unmapped();
  for (auto it = expiries_.lower_bound(Key{unmapped, ""});
       it != expiries_.end() && it->first.first == unmapped; ++it) {
    if (it->second > now) names.push_back(it->first.second);
  }
  return names;
}

void DnsPins::expire(TimePoint now) {
  while (!by_expiry_.empty() && by_expiry_.begin()->first <= now)
    remove(by_expiry_.begin()->second);
}

void DnsPins::remove(const Key& key) {
  // `key` may live in by_expiry_ itself: erase there last, through a copy.
  const Key copy = key;
  auto found = expiries_.find(copy);
  if (found == expiries_.end()) return;
  by_expiry_.erase({found->second, copy});
  expiries_.erase(found);
}

}  // namespace msb::net
