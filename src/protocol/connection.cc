#include "protocol/connection.h"

#include <poll.h>

#include <cerrno>

#include "os/clock.h"
#include "os/io.h"

namespace msb::protocol {

Result<FrameConnection> FrameConnection::create(os::Fd fd) {
  MSB_TRY(os::set_nonblocking(fd.get(), true));
  bool is_socket = os::is_socket(fd.get());
  return FrameConnection(std::move(fd), is_socket);
}

Result<void> FrameConnection::send(uint32_t id, uint8_t flags, const Message& message) {
  send_frame(MSB_TRY(encode_message(id, flags, message)));
  return {};
}

void FrameConnection::send_frame(std::string encoded) {
  queued_bytes_ += encoded.size();
  queue_.push_back(std::move(encoded));
}

Result<void> FrameConnection::flush_some() {
  while (!queue_.empty()) {
    const std::string& front = queue_.front();
    std::span<const char> rest(front.data() + queue_offset_, front.size() - queue_offset_);
    Result<size_t> written =
        is_socket_ ? os::send_some(fd_.get(), rest) : os::write_some(fd_.get(), rest);
    if (!written) {
      if (written.error().sys_errno == EAGAIN) return {};
      return tl::unexpected(written.error());
    }
    queue_offset_ += *written;
    queued_bytes_ -= *written;
    if (queue_offset_ == front.size()) {
      queue_.pop_front();
      queue_offset_ = 0;
    }
  }
  return {};
}

Result<void> FrameConnection::flush_all(int timeout_ms) {
  uint64_t deadline = os::monotonic_ns() + uint64_t(timeout_ms) * 1'000'000;
  for (;;) {
    MSB_TRY(flush_some());
    if (queue_.empty()) return {};
    uint64_t now = os::monotonic_ns();
    if (now >= deadline) return err(ErrorKind::kTimeout, "peer is not reading");
    pollfd pfd{fd_.get(), POLLOUT, 0};
    MSB_TRY(os::poll_fds(std::span(&pfd, 1), static_cast<int>((deadline - now) / 1'000'000) + 1));
  }
}

Result<bool> FrameConnection::receive_some() {
  char buffer[65536];
  for (int round = 0; round < 16; ++round) {
    Result<size_t> n = os::read_some(fd_.get(), buffer);
    if (!n) {
      if (n.error().sys_errno == EAGAIN) return true;
      return tl::unexpected(n.error());
    }
    if (*n == 0) return false;
    reader_.feed(std::string_view(buffer, *n));
    if (*n < sizeof buffer) return true;
  }
  return true;
}

Result<std::optional<Envelope>> FrameConnection::next_envelope(std::string_view peer) {
  std::optional<FrameReader::Item> item = reader_.next();
  if (!item) return std::optional<Envelope>();
  if (item->error)
    return err(ErrorKind::kProtocol, "{} sent a bad frame: {}", peer, item->error->message);
  tl::expected<Message, CoreError> message = decode_body(item->frame->body);
  if (!message)
    return err(ErrorKind::kProtocol, "{} sent a bad message: {}", peer, message.error().message);
  return Envelope{item->frame->id, item->frame->flags, std::move(*message)};
}

}  // namespace msb::protocol
