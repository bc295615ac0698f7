#include "net/flow_table.h"

#include <algorithm>

#include "net/packet.h"

namespace msb::net {
namespace {

using std::chrono::seconds;

// Like a NAT's timeouts (RFC 5382, RFC 4787): long for TCP, short for datagrams.
constexpr seconds kTcpIdle{7440};
constexpr seconds kTcpClosing{10};
constexpr seconds kDatagramIdle{120};

seconds idle_limit(const FlowKey& key, const FlowState& state) {
  if (key.protocol != kTcp) return kDatagramIdle;
  return state.closing ? kTcpClosing : kTcpIdle;
}

}  // namespace

FlowState* FlowTable::find(const FlowKey& key, Clock::time_point now) {
  auto found = flows_.find(key);
  if (found == flows_.end()) return nullptr;
  found->second.last_seen = now;
  return &found->second;
}

void FlowTable::add(const FlowKey& key, bool ingress, Clock::time_point now) {
  if (flows_.size() >= capacity_ && !flows_.contains(key)) evict_idlest();
  flows_[key] = FlowState{.ingress = ingress, .last_seen = now};
}

void FlowTable::remove(const FlowKey& key) { flows_.erase(key); }

size_t FlowTable::open_connections() const {
  return size_t(std::count_if(flows_.begin(), flows_.end(), [](const auto& flow) {
    return flow.first.protocol == kTcp && !flow.second.closing;
  }));
}

void FlowTable::expire(Clock::time_point now) {
  std::erase_if(flows_, [now](const auto& flow) {
    return now - flow.second.last_seen > idle_limit(flow.first, flow.second);
  });
}

void FlowTable::evict_idlest() {
  auto idlest = std::min_element(flows_.begin(), flows_.end(), [](const auto& a, const auto& b) {
    return a.second.last_seen < b.second.last_seen;
  });
  if (idlest != flows_.end()) flows_.erase(idlest);
}

}  // namespace msb::net
