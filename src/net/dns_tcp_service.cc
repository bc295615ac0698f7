#include "net/dns_tcp_service.h"

#include <algorithm>

#include "os/io.h"
#include "os/tcp_socket.h"

namespace msb::net {
namespace {

// SECURITY: the guest opens as many connections as it likes; past these they are closed at
// once, and each one lives only while it asks (RFC 7766 suggests seconds of idle time).
constexpr size_t kMaxConnections = 16;
constexpr auto kIdleTimeout = std::chrono::seconds(10);
// Answers a slow reader has not taken; past this the connection is dropped.
constexpr size_t kMaxPendingOutput = 256 * 1024;

bool would_block(const Error& error) { return error.sys_errno == EAGAIN; }

}  // namespace

Result<std::unique_ptr<DnsTcpService>> DnsTcpService::create(DnsInterceptor& interceptor) {
  os::LoopbackListener listener = MSB_TRY(os::listen_tcp_loopback());
  return std::unique_ptr<DnsTcpService>(
      new DnsTcpService(interceptor, std::move(listener.fd), listener.port));
}

DnsTcpService::DnsTcpService(DnsInterceptor& interceptor, os::Fd listener, uint16_t port)
    : interceptor_(interceptor), listener_(std::move(listener)), port_(port) {}

void DnsTcpService::expect_connection() { expected_ = std::min(expected_ + 1, kMaxConnections); }

void DnsTcpService::fill(std::vector<pollfd>& fds, int& timeout_ms, Clock::time_point now) {
  fds.push_back({listener_.get(), POLLIN, 0});
  polled_.clear();
  for (auto& [id, connection] : connections_) {
    short events = connection.peer_done ? 0 : POLLIN;
    if (!connection.out.empty()) events |= POLLOUT;
    fds.push_back({connection.fd.get(), events, 0});
    polled_.push_back(id);
    auto left = std::chrono::ceil<std::chrono::milliseconds>(connection.deadline - now).count();
    left = std::max<int64_t>(left, 0);
    if (timeout_ms < 0 || left < timeout_ms) timeout_ms = int(left);
  }
}

void DnsTcpService::dispatch(std::span<const pollfd> fds, Clock::time_point now) {
  if (fds.empty()) return;
  for (size_t i = 0; i < polled_.size() && i + 1 < fds.size(); ++i) {
    auto found = connections_.find(polled_[i]);
    if (found == connections_.end()) continue;
    if (!serve(found->first, found->second, fds[i + 1].revents, now)) connections_.erase(found);
  }
  polled_.clear();
  if (fds[0].revents & POLLIN) accept_all(now);
}

void DnsTcpService::accept_all(Clock::time_point now) {
  for (;;) {
    Result<std::optional<os::Fd>> accepted = os::accept_connection(listener_.get());
    if (!accepted || !*accepted) return;
    // Closed as it goes out of scope: not announced by the filter, or one too many.
    if (expected_ == 0 || connections_.size() >= kMaxConnections) continue;
    --expected_;
    Connection connection;
    connection.fd = std::move(**accepted);
    connection.deadline = now + kIdleTimeout;
    connections_.emplace(next_id_++, std::move(connection));
  }
}

bool DnsTcpService::serve(uint64_t id, Connection& connection, short revents,
                          Clock::time_point now) {
  if (revents & (POLLERR | POLLNVAL)) return false;
  if ((revents & (POLLIN | POLLHUP)) && !connection.peer_done) {
    char buffer[4096];
    for (;;) {
      Result<size_t> got = os::read_some(connection.fd.get(), buffer);
      if (!got) {
        if (!would_block(got.error())) return false;
        break;
      }
      if (*got == 0) {
        connection.peer_done = true;
        break;
      }
      connection.framer.feed({reinterpret_cast<const uint8_t*>(buffer), *got});
      while (std::optional<std::vector<uint8_t>> message = connection.framer.next()) {
        ++connection.waiting;
        connection.deadline = now + kIdleTimeout;
        interceptor_.on_message(
            *message, std::nullopt,
            [this, id](std::span<const uint8_t> answer_message) { answer(id, answer_message); },
            now);
      }
      if (connection.framer.failed()) return false;
    }
  }
  // The interceptor may have answered at once (a denied name), so `connection` may hold
  // output already.
  if (!connection.out.empty()) {
    Result<size_t> wrote = os::send_some(connection.fd.get(), connection.out);
    if (!wrote && !would_block(wrote.error())) return false;
    if (wrote) connection.out.erase(0, *wrote);
  }
  if (connection.out.size() > kMaxPendingOutput) return false;
  if (connection.peer_done && connection.waiting == 0 && connection.out.empty()) return false;
  return now < connection.deadline;
}

void DnsTcpService::answer(uint64_t id, std::span<const uint8_t> message) {
  auto found = connections_.find(id);
  if (found == connections_.end()) return;  // the guest hung up before its answer came
  Connection& connection = found->second;
  if (connection.waiting > 0) --connection.waiting;
  std::vector<uint8_t> framed = DnsTcpFramer::frame(message);
  connection.out.append(framed.begin(), framed.end());
  Result<size_t> wrote = os::send_some(connection.fd.get(), connection.out);
  if (wrote) connection.out.erase(0, *wrote);
}

}  // namespace msb::net
