#include "net/dns_interceptor.h"

#include <algorithm>

#include "common/log.h"
#include "os/datagram_socket.h"

namespace msb::net {
namespace {

// SECURITY: a guest can send queries faster than upstreams answer; past this many in
// flight new ones get SERVFAIL, so the supervisor's fds and memory stay bounded.
constexpr size_t kMaxPending = 256;
constexpr size_t kMaxMessage = 65535;
constexpr uint8_t kServFail = 2;
constexpr uint8_t kNxDomain = 3;

void set_id(std::vector<uint8_t>& message, uint16_t id) {
  if (message.size() < 2) return;
  message[0] = uint8_t(id >> 8);
  message[1] = uint8_t(id);
}

}  // namespace

DnsInterceptor::DnsInterceptor(const NetworkPolicy& policy, const HostAddresses& hosts,
                               DnsPins& pins, DnsInterceptorSettings settings,
                               SendToGuest send_to_guest)
    : policy_(policy),
      hosts_(hosts),
      pins_(pins),
      settings_(std::move(settings)),
      send_to_guest_(std::move(send_to_guest)),
      random_(std::random_device{}()) {}

uint16_t DnsInterceptor::fresh_id() {
  // Upstream ids are unpredictable (with the random source port of each socket) so that
  // an off-path spoofer cannot plant answers, and never clash with one in flight.
  for (;;) {
    uint16_t id = uint16_t(random_());
    if (!pending_.contains(id)) return id;
  }
}

void DnsInterceptor::on_query(std::span<const uint8_t> frame, const FrameInfo& info,
                              std::optional<SocketAddress> resolver, Clock::time_point now) {
  const UdpEndpoint guest{info.source_mac, info.source, info.source_port};
  const UdpEndpoint responder{info.destination_mac, info.destination, info.destination_port};
  on_message(
      frame.subspan(info.payload_offset, info.payload_length), std::move(resolver),
      [this, guest, responder](std::span<const uint8_t> message) {
        answer(responder, guest, message);
      },
      now);
}

void DnsInterceptor::on_message(std::span<const uint8_t> message,
                                std::optional<SocketAddress> resolver, Reply reply,
                                Clock::time_point now) {
  Result<DnsQuery> query = parse_dns_query(message);
  if (!query) return;  // not a question we can answer: as a resolver would, drop it
  if (evaluate_name(policy_, query->question.name) == Action::kDeny) {
    reply(build_dns_error(*query, kNxDomain));
    return;
  }
  if (pending_.size() >= kMaxPending) {
    reply(build_dns_error(*query, kServFail));
    return;
  }
  Pending pending{*query, {message.begin(), message.end()}, std::move(reply), {}, 0, {}, {}};
  if (resolver)
    pending.upstreams.push_back(*resolver);
  else
    pending.upstreams = settings_.upstreams;
  const uint16_t id = fresh_id();
  set_id(pending.message, id);
  if (!send_upstream(pending, now)) {
    pending.reply(build_dns_error(*query, kServFail));
    return;
  }
  pending_.emplace(id, std::move(pending));
}

bool DnsInterceptor::send_upstream(Pending& pending, Clock::time_point now) {
  for (; pending.upstream < pending.upstreams.size(); ++pending.upstream) {
    const SocketAddress& upstream = pending.upstreams[pending.upstream];
    Result<os::Fd> socket = os::connect_datagram(upstream.get(), upstream.length);
    if (socket &&
        os::send_datagram(socket->get(), {reinterpret_cast<const char*>(pending.message.data()),
                                          pending.message.size()})) {
      pending.socket = std::move(*socket);
      pending.deadline = now + settings_.timeout;
      return true;
    }
  }
  return false;
}

void DnsInterceptor::fill(std::vector<pollfd>& fds, int& timeout_ms, Clock::time_point now) {
  polled_.clear();
  for (auto& [id, pending] : pending_) {
    fds.push_back({pending.socket.get(), POLLIN, 0});
    polled_.push_back(id);
    auto left = std::chrono::ceil<std::chrono::milliseconds>(pending.deadline - now).count();
    left = std::max<int64_t>(left, 0);
    if (timeout_ms < 0 || left < timeout_ms) timeout_ms = int(left);
  }
}

void DnsInterceptor::dispatch(std::span<const pollfd> fds, Clock::time_point now) {
  // Called on every turn of the network loop: nothing to do without a query in flight.
  if (pending_.empty()) return;
  std::vector<uint8_t>& buffer = receive_buffer_;
  buffer.resize(kMaxMessage);
  for (size_t i = 0; i < polled_.size() && i < fds.size(); ++i) {
    auto found = pending_.find(polled_[i]);
    if (found == pending_.end() || !(fds[i].revents & (POLLIN | POLLERR))) continue;
    Result<std::optional<size_t>> received = os::receive_datagram(
        found->second.socket.get(), {reinterpret_cast<char*>(buffer.data()), buffer.size()});
    if (!received) {
      found->second.deadline = now;  // refused: move on to the next upstream below
    } else if (*received) {
      handle_response(found->second, {buffer.data(), **received});
      if (!found->second.socket) pending_.erase(found);
    }
  }
  polled_.clear();
  for (auto it = pending_.begin(); it != pending_.end();) {
    Pending& pending = it->second;
    if (pending.deadline > now) {
      ++it;
      continue;
    }
    ++pending.upstream;
    if (send_upstream(pending, now)) {
      ++it;
      continue;
    }
    pending.reply(build_dns_error(pending.query, kServFail));
    it = pending_.erase(it);
  }
}

void DnsInterceptor::handle_response(Pending& pending, std::span<const uint8_t> message) {
  Result<DnsResponse> response = parse_dns_response(message);
  // SECURITY: only the answer to our question counts; anything else on the socket is
  // ignored and the query keeps waiting.
  if (!response || message.size() < 2 ||
      uint16_t(message[0] << 8 | message[1]) !=
          uint16_t(pending.message[0] << 8 | pending.message[1]) ||
      response->question.name != pending.query.question.name ||
      response->question.type != pending.query.question.type)
    return;
  const DnsQuery& query = pending.query;
  Result<std::vector<uint8_t>> filtered = filter_dns_answers(
      message, [&](const DnsAnswerRecord& record) { return keep_record(query, record); });
  if (!filtered) {
    pending.reply(build_dns_error(query, kServFail));
  } else {
    pin(query, *filtered);
    set_id(*filtered, query.id);
    pending.reply(*filtered);
  }
  pending.socket = os::Fd();
}

bool DnsInterceptor::keep_record(const DnsQuery& query, const DnsAnswerRecord& record) const {
  if (!settings_.rebinding_protection) return true;
  return answer_allowed(policy_, query.question.name, record.address, hosts_);
}

void DnsInterceptor::pin(const DnsQuery& query, std::span<const uint8_t> filtered) {
  Result<DnsResponse> response = parse_dns_response(filtered);
  if (!response) return;
  const auto now = Clock::now();
  for (const DnsAnswerRecord& record : response->answers) {
    if (record.type != kDnsTypeA && record.type != kDnsTypeAAAA) continue;
    // The asked name and the record's own (a CNAME's target) both lead to this address:
    // a rule may name either.
    pins_.add(record.address, query.question.name, record.ttl, now);
    if (record.name != query.question.name) pins_.add(record.address, record.name, record.ttl, now);
  }
}

void DnsInterceptor::answer(const UdpEndpoint& from, const UdpEndpoint& to,
                            std::span<const uint8_t> message) {
  Result<std::vector<uint8_t>> frame = build_udp_frame(from, to, message);
  if (frame)
    send_to_guest_(*frame);
  else
    logger("net")->debug("dns answer: {}", frame.error().message);
}

}  // namespace msb::net
