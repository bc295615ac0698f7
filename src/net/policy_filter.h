// The policy in front of the sandbox's stack. Every frame from the guest is parsed; the
// first packet of each flow is judged against the sandbox's NetworkPolicy (first matching
// rule wins) and the verdict is kept for the flow's life. Refused TCP connects get a reset
// and refused datagrams an ICMP "administratively prohibited", so nothing in the guest
// hangs. DNS queries go to the DnsInterceptor; connections from outside (published ports)
// are judged as ingress when the stack delivers their first packet. Not thread-safe: the
// network thread owns it.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <utility>

#include "net/address_groups.h"
#include "net/dns_interceptor.h"
#include "net/dns_pins.h"
#include "net/dns_tcp_service.h"
#include "net/flow_table.h"
#include "net/frame_filter.h"
#include "net/ip_address.h"
#include "net/policy.h"

namespace msb::net {

struct PolicyFilterSettings {
  NetworkPolicy policy;
  uint32_t max_connections = 256;
  // The guest's own link: its address, its gateway, and the subnet they share. Every
  // address of the subnet but the guest's is the host (libslirp maps them all to it).
  IpAddress guest_v4, gateway_v4;
  Cidr subnet_v4;
  std::optional<IpAddress> guest_v6, gateway_v6;
  std::optional<Cidr> subnet_v6;
  DnsInterceptorSettings dns;
};

struct PolicyFilterStats {
  uint64_t refused_flows = 0;     // flows the policy denied
  uint64_t over_limit = 0;        // connects refused by the connection limit
  uint64_t dns_queries = 0;       // queries the interceptor took
  uint64_t malformed_frames = 0;  // frames that did not parse
};

class PolicyFilter final : public FrameFilter {
 public:
  explicit PolicyFilter(PolicyFilterSettings settings);
  ~PolicyFilter() override;

  void attach(SendToGuest send_to_guest) override;
  FrameVerdict admit(std::span<const uint8_t> frame,
                     std::vector<std::vector<uint8_t>>& replies) override;
  FrameVerdict deliver(std::span<const uint8_t> frame) override;
  std::span<const uint8_t> rewritten() const override { return rewritten_; }
  void fill(std::vector<pollfd>& fds, int& timeout_ms) override;
  void dispatch(std::span<const pollfd> fds) override;

  const PolicyFilterStats& stats() const { return stats_; }
  size_t open_connections() const { return flows_.open_connections(); }

 private:
  using Clock = std::chrono::steady_clock;

  FrameVerdict admit_ip(std::span<const uint8_t> frame, const FrameInfo& info,
                        std::vector<std::vector<uint8_t>>& replies, Clock::time_point now);
  FrameVerdict admit_tcp(std::span<const uint8_t> frame, const FrameInfo& info,
                         std::vector<std::vector<uint8_t>>& replies, Clock::time_point now);
  FrameVerdict admit_datagram(std::span<const uint8_t> frame, const FrameInfo& info,
                              std::vector<std::vector<uint8_t>>& replies, Clock::time_point now);
  FrameVerdict refuse(std::span<const uint8_t> frame, const FrameInfo& info,
                      std::vector<std::vector<uint8_t>>& replies);
  bool allowed(Direction direction, const FrameInfo& info, const IpAddress& remote,
               uint16_t port) const;
  IpAddress policy_address(const IpAddress& address) const;
  bool is_gateway(const IpAddress& address) const;
  bool is_dns_over_tcp(const FlowKey& key) const;
  FrameVerdict to_dns_service(std::span<const uint8_t> frame, const FrameInfo& info);
  void housekeeping(Clock::time_point now);

  PolicyFilterSettings settings_;
  HostAddresses hosts_;
  DnsPins pins_;
  FlowTable flows_;
  // Remotes whose first fragment was let through, so the rest of the datagram may follow.
  std::map<std::pair<uint8_t, IpAddress>, Clock::time_point> fragment_remotes_;
  std::unique_ptr<DnsInterceptor> dns_;
  std::unique_ptr<DnsTcpService> dns_tcp_;  // null when its listener could not be made
  size_t dns_fds_ = 0;                      // how many fds dns_ added in fill()
  std::vector<uint8_t> rewritten_;
  SendToGuest send_to_guest_;
  Clock::time_point next_housekeeping_{};
  PolicyFilterStats stats_;
};

}  // namespace msb::net
