#include "sdk/agent_client.h"

#include <poll.h>

#include "os/clock.h"
#include "os/io.h"
#include "os/unix_socket.h"

namespace msb::sdk {

uint64_t deadline_after(std::optional<std::chrono::milliseconds> timeout) {
  if (!timeout) return kNoDeadline;
  return os::monotonic_ns() + uint64_t(std::max<int64_t>(0, timeout->count())) * 1'000'000;
}

Result<AgentClient> AgentClient::connect(const std::string& socket_path,
                                         std::chrono::milliseconds timeout) {
  os::Fd fd = MSB_TRY(os::connect_unix(socket_path));
  AgentClient client(MSB_TRY(protocol::FrameConnection::create(std::move(fd))));
  protocol::Envelope hello = MSB_TRY(client.next(deadline_after(timeout)));
  auto* ready = std::get_if<protocol::CoreReady>(&hello.message);
  if (!ready)
    return err(ErrorKind::kProtocol, "{}: expected the supervisor's greeting", socket_path);
  if (ready->stdin_window != 0) client.stdin_window_ = ready->stdin_window;
  if (ready->output_window != 0) client.output_window_ = ready->output_window;
  return client;
}

Result<void> AgentClient::send(uint32_t id, uint8_t flags, const protocol::Message& message) {
  MSB_TRY(connection_.send(id, flags, message));
  return connection_.flush_some();
}

Result<protocol::Envelope> AgentClient::next(uint64_t deadline_ns) {
  for (;;) {
    std::optional<protocol::Envelope> envelope = MSB_TRY(connection_.next_envelope("sandbox"));
    if (envelope) {
      auto* error = std::get_if<protocol::CoreError>(&envelope->message);
      if (envelope->id == 0 && error) close_reason_ = error->message;
      return std::move(*envelope);
    }
    if (closed_ && !close_reason_.empty())
      return err(ErrorKind::kIo, "the sandbox's supervisor disconnected us: {}", close_reason_);
    if (closed_)
      return err(ErrorKind::kIo, "the sandbox stopped (its supervisor closed the connection)");
    // Past the deadline the socket is still read once, without waiting.
    uint64_t now = os::monotonic_ns();
    int wait_ms = -1;
    if (deadline_ns != kNoDeadline)
      wait_ms = now >= deadline_ns ? 0 : int((deadline_ns - now) / 1'000'000) + 1;
    pollfd entry{connection_.fd(), short(POLLIN | (connection_.wants_write() ? POLLOUT : 0)), 0};
    int ready = MSB_TRY(os::poll_fds({&entry, 1}, wait_ms));
    if (ready == 0 && os::monotonic_ns() >= deadline_ns)
      return err(ErrorKind::kTimeout, "no answer from the sandbox in time");
    if (entry.revents & (POLLIN | POLLHUP | POLLERR)) {
      bool open = MSB_TRY(connection_.receive_some());
      if (!open) closed_ = true;
    }
    if ((entry.revents & POLLOUT) && !closed_) MSB_TRY(connection_.flush_some());
  }
}

Result<bool> AgentClient::flush_below(size_t bytes) {
  while (connection_.queued_bytes() > bytes) {
    if (closed_) return err(ErrorKind::kIo, "the sandbox stopped while we were writing to it");
    pollfd entry{connection_.fd(), POLLIN | POLLOUT, 0};
    MSB_TRY(os::poll_fds({&entry, 1}, -1));
    if (entry.revents & (POLLIN | POLLHUP | POLLERR)) {
      bool open = MSB_TRY(connection_.receive_some());
      if (!open) closed_ = true;
      return false;
    }
    if (entry.revents & POLLOUT) MSB_TRY(connection_.flush_some());
  }
  return true;
}

Result<void> AgentClient::consumed(uint32_t id, protocol::AckBatch& acks, uint64_t cost) {
  if (cost == 0) return {};
  acks.consume(cost);
  uint64_t bytes = acks.take();
  if (bytes == 0) return {};
  return send(id, 0, protocol::CoreAck{bytes});
}

}  // namespace msb::sdk
