#include "net/policy_filter.h"

#include "common/log.h"
#include "net/packet.h"

namespace msb::net {
namespace {

using Clock = std::chrono::steady_clock;

constexpr auto kHousekeepingPeriod = std::chrono::seconds(1);
constexpr auto kFragmentWindow = std::chrono::seconds(30);
constexpr uint16_t kDnsPort = 53;

bool is_ndp(const FrameInfo& info) {
  // Router and neighbour solicitations and advertisements: the link itself (RFC 4861).
  return info.protocol == kIcmpV6 && info.icmp_type >= 133 && info.icmp_type <= 136;
}

bool is_icmp(uint8_t protocol) { return protocol == kIcmp || protocol == kIcmpV6; }

Protocol policy_protocol(uint8_t protocol) {
  if (protocol == kTcp) return Protocol::kTcp;
  if (protocol == kUdp) return Protocol::kUdp;
  return Protocol::kIcmp;
}

// Echo requests and the errors a guest sends about traffic that reached it; any other
// ICMP (redirects, router adverts, timestamps) has no business leaving the guest.
bool is_icmp_we_forward(const FrameInfo& info) {
  if (info.protocol == kIcmp)
    return info.icmp_type == 8 || info.icmp_type == 3 || info.icmp_type == 11;
  return info.icmp_type == 128 || (info.icmp_type >= 1 && info.icmp_type <= 4);
}

void note_tcp_flags(FlowState& state, uint8_t flags, bool from_guest) {
  if (flags & kTcpRst) state.closing = true;
  if (flags & kTcpFin) (from_guest ? state.guest_finished : state.remote_finished) = true;
  if (state.guest_finished && state.remote_finished) state.closing = true;
}

}  // namespace

PolicyFilter::PolicyFilter(PolicyFilterSettings settings) : settings_(std::move(settings)) {
  hosts_.addresses.push_back(settings_.gateway_v4);
  if (settings_.gateway_v6) hosts_.addresses.push_back(*settings_.gateway_v6);
}

PolicyFilter::~PolicyFilter() {
  logger("net")->info(
      "policy: {} flows refused, {} connects over the limit of {}, {} DNS queries, {} malformed "
      "frames",
      stats_.refused_flows, stats_.over_limit, settings_.max_connections, stats_.dns_queries,
      stats_.malformed_frames);
}

void PolicyFilter::attach(SendToGuest send_to_guest) {
  send_to_guest_ = std::move(send_to_guest);
  dns_ = std::make_unique<DnsInterceptor>(settings_.policy, hosts_, pins_, settings_.dns,
                                          send_to_guest_);
  Result<std::unique_ptr<DnsTcpService>> service = DnsTcpService::create(*dns_);
  if (service)
    dns_tcp_ = std::move(*service);
  else
    logger("net")->warn("DNS over TCP stays refused: {}", service.error().message);
}

FrameVerdict PolicyFilter::admit(std::span<const uint8_t> frame,
                                 std::vector<std::vector<uint8_t>>& replies) {
  const Clock::time_point now = Clock::now();
  housekeeping(now);
  Result<FrameInfo> info = parse_frame(frame);
  if (!info) {
    ++stats_.malformed_frames;
    return FrameVerdict::kRefuse;
  }
  switch (info->kind) {
    case FrameInfo::Kind::kArp:
      return FrameVerdict::kPass;
    case FrameInfo::Kind::kIpv4:
    case FrameInfo::Kind::kIpv6:
      return admit_ip(frame, *info, replies, now);
    case FrameInfo::Kind::kOther:
      break;
  }
  return FrameVerdict::kRefuse;
}

FrameVerdict PolicyFilter::admit_ip(std::span<const uint8_t> frame, const FrameInfo& info,
                                    std::vector<std::vector<uint8_t>>& replies,
                                    Clock::time_point now) {
  if (is_ndp(info)) return FrameVerdict::kPass;
  // SECURITY: the guest speaks only from its own addresses; anything else is spoofed.
  const bool own_source = info.source == settings_.guest_v4 ||
                          (settings_.guest_v6 && info.source == *settings_.guest_v6);
  if (!own_source) return FrameVerdict::kRefuse;
  if (info.fragment && !info.first_fragment) {
    auto found = fragment_remotes_.find({info.protocol, info.destination});
    return found != fragment_remotes_.end() && now - found->second < kFragmentWindow
               ? FrameVerdict::kPass
               : FrameVerdict::kRefuse;
  }
  if (info.protocol == kTcp) return admit_tcp(frame, info, replies, now);
  if (info.protocol == kUdp || (is_icmp(info.protocol) && is_icmp_we_forward(info)))
    return admit_datagram(frame, info, replies, now);
  return FrameVerdict::kRefuse;
}

FrameVerdict PolicyFilter::admit_tcp(std::span<const uint8_t> frame, const FrameInfo& info,
                                     std::vector<std::vector<uint8_t>>& replies,
                                     Clock::time_point now) {
  const FlowKey key{kTcp, info.source_port, info.destination, info.destination_port};
  const bool connect = (info.tcp_flags & kTcpSyn) && !(info.tcp_flags & kTcpAck);
  if (!connect) {
    if (FlowState* state = flows_.find(key, now)) {
      note_tcp_flags(*state, info.tcp_flags, true);
      return is_dns_over_tcp(key) ? to_dns_service(frame, info) : FrameVerdict::kPass;
    }
  }
  // DNS over TCP to the gateway goes to the interceptor's TCP service, whatever the policy
  // says about the host (as UDP DNS does). Over IPv6 (never in the guest's resolv.conf) it
  // stays refused, so it cannot reach libslirp's own forwarding.
  if (is_dns_over_tcp(key)) {
    if (connect && flows_.open_connections() >= settings_.max_connections) {
      ++stats_.over_limit;
      return refuse(frame, info, replies);
    }
    flows_.add(key, false, now);
    ++stats_.dns_queries;
    if (connect) dns_tcp_->expect_connection();
    return to_dns_service(frame, info);
  }
  if (is_gateway(info.destination) && info.destination_port == kDnsPort)
    return refuse(frame, info, replies);
  if (!allowed(Direction::kEgress, info, info.destination, info.destination_port))
    return refuse(frame, info, replies);
  if (connect && flows_.open_connections() >= settings_.max_connections) {
    ++stats_.over_limit;
    return refuse(frame, info, replies);
  }
  flows_.add(key, false, now);
  if (FlowState* state = flows_.find(key, now)) note_tcp_flags(*state, info.tcp_flags, true);
  return FrameVerdict::kPass;
}

FrameVerdict PolicyFilter::admit_datagram(std::span<const uint8_t> frame, const FrameInfo& info,
                                          std::vector<std::vector<uint8_t>>& replies,
                                          Clock::time_point now) {
  const bool udp = info.protocol == kUdp;
  if (udp && info.destination_port == kDnsPort && !info.fragment) {
    std::optional<SocketAddress> resolver;
    if (!is_gateway(info.destination)) {
      // A query straight at another resolver: allowed to reach it only if the policy lets
      // the guest reach that address at all, and then through the interceptor, so the
      // name policy, rebinding protection and pins apply all the same.
      if (!allowed(Direction::kEgress, info, info.destination, kDnsPort))
        return refuse(frame, info, replies);
      resolver = SocketAddress::of(info.destination, kDnsPort);
    }
    ++stats_.dns_queries;
    dns_->on_query(frame, info, resolver, now);
    return FrameVerdict::kHandled;
  }
  const FlowKey key{info.protocol, udp ? info.source_port : uint16_t(0), info.destination,
                    udp ? info.destination_port : uint16_t(0)};
  if (!flows_.find(key, now)) {
    if (!allowed(Direction::kEgress, info, info.destination, udp ? info.destination_port : 0))
      return refuse(frame, info, replies);
    flows_.add(key, false, now);
  }
  if (info.fragment) fragment_remotes_[{info.protocol, info.destination}] = now;
  return FrameVerdict::kPass;
}

FrameVerdict PolicyFilter::refuse(std::span<const uint8_t> frame, const FrameInfo& info,
                                  std::vector<std::vector<uint8_t>>& replies) {
  ++stats_.refused_flows;
  if (info.protocol == kTcp && (info.tcp_flags & kTcpRst)) return FrameVerdict::kRefuse;
  Result<std::vector<uint8_t>> reply =
      info.protocol == kTcp ? build_tcp_reset(frame, info) : build_icmp_unreachable(frame, info);
  if (reply) replies.push_back(std::move(*reply));
  return FrameVerdict::kRefuse;
}

FrameVerdict PolicyFilter::deliver(std::span<const uint8_t> frame) {
  Result<FrameInfo> info = parse_frame(frame);
  if (!info || (info->kind != FrameInfo::Kind::kIpv4 && info->kind != FrameInfo::Kind::kIpv6))
    return FrameVerdict::kPass;
  if (info->protocol != kTcp && info->protocol != kUdp) return FrameVerdict::kPass;
  const Clock::time_point now = Clock::now();
  FlowKey key{info->protocol, info->destination_port, info->source, info->source_port};
  // The DNS service's answers go back as the gateway's port 53.
  const bool from_dns_service = dns_tcp_ && info->protocol == kTcp &&
                                info->source == settings_.gateway_v4 &&
                                info->source_port == dns_tcp_->port();
  if (from_dns_service) key.remote_port = kDnsPort;
  if (FlowState* state = flows_.find(key, now)) {
    if (info->protocol == kTcp) note_tcp_flags(*state, info->tcp_flags, false);
    if (!from_dns_service) return FrameVerdict::kPass;
    rewritten_.assign(frame.begin(), frame.end());
    rewrite_tcp_port(rewritten_, *info, true, kDnsPort);
    return FrameVerdict::kRewritten;
  }
  const bool connect =
      info->protocol == kUdp || ((info->tcp_flags & kTcpSyn) && !(info->tcp_flags & kTcpAck));
  // The stack's own answer for a flow we no longer track.
  if (!connect) return from_dns_service ? FrameVerdict::kRefuse : FrameVerdict::kPass;
  // A connection from outside through a published port: judged as ingress.
  if (!allowed(Direction::kIngress, *info, info->source, info->destination_port)) {
    ++stats_.refused_flows;
    return FrameVerdict::kRefuse;
  }
  if (info->protocol == kTcp && flows_.open_connections() >= settings_.max_connections) {
    ++stats_.over_limit;
    return FrameVerdict::kRefuse;
  }
  flows_.add(key, true, now);
  return FrameVerdict::kPass;
}

bool PolicyFilter::is_dns_over_tcp(const FlowKey& key) const {
  return dns_tcp_ && key.protocol == kTcp && key.remote == settings_.gateway_v4 &&
         key.remote_port == kDnsPort;
}

FrameVerdict PolicyFilter::to_dns_service(std::span<const uint8_t> frame, const FrameInfo& info) {
  rewritten_.assign(frame.begin(), frame.end());
  rewrite_tcp_port(rewritten_, info, false, dns_tcp_->port());
  return FrameVerdict::kRewritten;
}

bool PolicyFilter::allowed(Direction direction, const FrameInfo& info, const IpAddress& remote,
                           uint16_t port) const {
  Flow flow;
  flow.direction = direction;
  flow.protocol = policy_protocol(info.protocol);
  flow.remote = policy_address(remote);
  flow.port = port;
  flow.names = pins_.names_for(remote, Clock::now());
  return evaluate(settings_.policy, flow, hosts_).action == Action::kAllow;
}

IpAddress PolicyFilter::policy_address(const IpAddress& address) const {
  const IpAddress plain = address.unmapped();
  if (plain != settings_.guest_v4 && settings_.subnet_v4.contains(plain))
    return settings_.gateway_v4;
  if (settings_.subnet_v6 && plain != *settings_.guest_v6 && settings_.subnet_v6->contains(plain))
    return *settings_.gateway_v6;
  return plain;
}

bool PolicyFilter::is_gateway(const IpAddress& address) const {
  return address == settings_.gateway_v4 ||
         (settings_.gateway_v6 && address == *settings_.gateway_v6);
}

void PolicyFilter::fill(std::vector<pollfd>& fds, int& timeout_ms) {
  const Clock::time_point now = Clock::now();
  const size_t first = fds.size();
  if (dns_) dns_->fill(fds, timeout_ms, now);
  dns_fds_ = fds.size() - first;
  if (dns_tcp_) dns_tcp_->fill(fds, timeout_ms, now);
}

void PolicyFilter::dispatch(std::span<const pollfd> fds) {
  const Clock::time_point now = Clock::now();
  const size_t split = std::min(dns_fds_, fds.size());
  if (dns_) dns_->dispatch(fds.first(split), now);
  if (dns_tcp_) dns_tcp_->dispatch(fds.subspan(split), now);
}

void PolicyFilter::housekeeping(Clock::time_point now) {
  if (now < next_housekeeping_) return;
  next_housekeeping_ = now + kHousekeepingPeriod;
  flows_.expire(now);
  pins_.expire(now);
  std::erase_if(fragment_remotes_,
                [now](const auto& entry) { return now - entry.second >= kFragmentWindow; });
}

}  // namespace msb::net
