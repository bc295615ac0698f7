// The sandbox's DNS: every UDP query the guest sends to port 53 (at its gateway, or
// straight at some other resolver) ends here. Names the policy denies get NXDOMAIN without
// leaving the machine; the rest go upstream, and the answers come back with rebinding
// answers removed and their addresses pinned, so that domain rules can match the
// connections that follow. Not thread-safe: the network thread owns it.
#pragma once

#include <poll.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <random>
#include <span>
#include <vector>

#include "net/address_groups.h"
#include "net/dns_message.h"
#include "net/dns_pins.h"
#include "net/dns_upstreams.h"
#include "net/packet.h"
#include "net/policy.h"
#include "os/fd.h"

namespace msb::net {

struct DnsInterceptorSettings {
  std::vector<SocketAddress> upstreams;  // tried in order, each for `timeout`
  std::chrono::milliseconds timeout{5000};
  bool rebinding_protection = true;
};

class DnsInterceptor {
 public:
  using Clock = std::chrono::steady_clock;
  using SendToGuest = std::function<void(std::span<const uint8_t>)>;
  // Takes the DNS message answering a question (now, or later from dispatch()).
  using Reply = std::function<void(std::span<const uint8_t> message)>;

  // `policy`, `hosts` and `pins` must outlive the interceptor.
  DnsInterceptor(const NetworkPolicy& policy, const HostAddresses& hosts, DnsPins& pins,
                 DnsInterceptorSettings settings, SendToGuest send_to_guest);

  // A UDP datagram from the guest to port 53 (`info` parsed from `frame`). `resolver`: the
  // address the guest asked when it is not the gateway, which then is the only upstream.
  void on_query(std::span<const uint8_t> frame, const FrameInfo& info,
                std::optional<SocketAddress> resolver, Clock::time_point now);

  // A DNS query message that came another way (DNS over TCP), answered through `reply`. A
  // message that is not one question gets no answer.
  void on_message(std::span<const uint8_t> message, std::optional<SocketAddress> resolver,
                  Reply reply, Clock::time_point now);

  // Poll-loop plumbing: appends the upstream sockets, lowers `timeout_ms` to the next
  // deadline; then handles answers and deadlines.
  void fill(std::vector<pollfd>& fds, int& timeout_ms, Clock::time_point now);
  void dispatch(std::span<const pollfd> fds, Clock::time_point now);

  size_t pending() const { return pending_.size(); }

 private:
  struct Pending {
    DnsQuery query;
    std::vector<uint8_t> message;  // as sent upstream (with our id)
    Reply reply;
    std::vector<SocketAddress> upstreams;
    size_t upstream = 0;  // index of the one being asked
    os::Fd socket;
    Clock::time_point deadline;
  };

  void answer(const UdpEndpoint& from, const UdpEndpoint& to, std::span<const uint8_t> message);
  bool send_upstream(Pending& pending, Clock::time_point now);
  void handle_response(Pending& pending, std::span<const uint8_t> message);
  bool keep_record(const DnsQuery& query, const DnsAnswerRecord& record) const;
  void pin(const DnsQuery& query, std::span<const uint8_t> filtered);
  uint16_t fresh_id();

  const NetworkPolicy& policy_;
  const HostAddresses& hosts_;
  DnsPins& pins_;
  DnsInterceptorSettings settings_;
  SendToGuest send_to_guest_;
  std::map<uint16_t, Pending> pending_;  // by the id we sent upstream
  std::vector<uint16_t> polled_;         // ids in the order fill() added their sockets
  std::vector<uint8_t> receive_buffer_;  // one upstream answer at a time
  std::mt19937 random_;
};

}  // namespace msb::net
