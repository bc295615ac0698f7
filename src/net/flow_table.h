// The connections and datagram flows a sandbox has open, as the policy filter saw them
// start: the decision is taken once, on the first packet, and holds for the flow's life
// (a DNS pin that expires mid-download does not cut the download). TCP flows count
// against the sandbox's connection limit until they close. Not thread-safe: the network
// thread owns it.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <tuple>

#include "net/ip_address.h"

namespace msb::net {

struct FlowKey {
  uint8_t protocol = 0;      // kTcp, kUdp, kIcmp or kIcmpV6
  uint16_t guest_port = 0;   // the guest's port (its echo id for ICMP)
  IpAddress remote;          // the other end, as the guest addresses it
  uint16_t remote_port = 0;  // 0 for ICMP

  auto operator<=>(const FlowKey&) const = default;
};

struct FlowState {
  bool ingress = false;          // started from outside (a published port)
  bool closing = false;          // reset, or finished both ways: the flow ends soon
  bool guest_finished = false;   // the guest sent its FIN
  bool remote_finished = false;  // the other end sent its FIN
  std::chrono::steady_clock::time_point last_seen;
};

class FlowTable {
 public:
  using Clock = std::chrono::steady_clock;

  // `capacity`: flows of all kinds kept at most; the idlest is forgotten first.
  explicit FlowTable(size_t capacity = 16384) : capacity_(capacity) {}

  // The flow's state, refreshed to `now`; null when the flow is not known.
  FlowState* find(const FlowKey& key, Clock::time_point now);
  // Records an admitted flow (replacing what was there).
  void add(const FlowKey& key, bool ingress, Clock::time_point now);
  void remove(const FlowKey& key);

  // Open TCP flows, the ones the connection limit counts.
  size_t open_connections() const;
  size_t size() const { return flows_.size(); }

  // Forgets flows idle past their protocol's timeout and closed TCP flows after a grace
  // period (the last ACKs of a close still pass).
  void expire(Clock::time_point now);

 private:
  void evict_idlest();

  size_t capacity_;
  std::map<FlowKey, FlowState> flows_;
};

}  // namespace msb::net
