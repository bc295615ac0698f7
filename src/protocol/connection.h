// FrameConnection: a non-blocking byte stream carrying frames, with an outgoing queue so
// that an event loop never blocks on a slow peer. Used by the agent and by hosts.
// Not thread-safe.
#pragma once

#include <deque>
#include <optional>
#include <string>

#include "common/error.h"
#include "os/fd.h"
#include "protocol/frame.h"
#include "protocol/messages.h"

namespace msb::protocol {

class FrameConnection {
 public:
  // Takes ownership of `fd` and makes it non-blocking.
  static Result<FrameConnection> create(os::Fd fd);

  int fd() const { return fd_.get(); }

  // Queues one message. kInvalidArgument if it does not fit in a frame.
  Result<void> send(uint32_t id, uint8_t flags, const Message& message);
  void send_frame(std::string encoded);
  // Bytes waiting to be written; callers stop producing when this grows past their bound.
  size_t queued_bytes() const { return queued_bytes_; }
  bool wants_write() const { return queued_bytes_ > 0; }
  // Writes as much of the queue as the peer accepts now (call on POLLOUT).
  Result<void> flush_some();
  // Blocks (polling) until the queue is written or `timeout_ms` passes (kTimeout).
  Result<void> flush_all(int timeout_ms);

  // Reads what is available now (call on POLLIN). Returns false at end of stream.
  Result<bool> receive_some();
  // Next complete frame or frame error from what was received.
  std::optional<FrameReader::Item> next_frame() { return reader_.next(); }
  bool mid_frame() const { return reader_.mid_frame(); }
  // Next complete frame, decoded; nullopt when more bytes are needed. A bad frame or body
  // is kProtocol "<peer> sent a bad frame|message: ...".
  Result<std::optional<Envelope>> next_envelope(std::string_view peer);

 private:
  FrameConnection(os::Fd fd, bool is_socket) : fd_(std::move(fd)), is_socket_(is_socket) {}

  os::Fd fd_;
  bool is_socket_;  // sockets are written with MSG_NOSIGNAL: a gone peer must not kill us
  FrameReader reader_;
  std::deque<std::string> queue_;
  size_t queue_offset_ = 0;  // bytes of queue_.front() already written
  size_t queued_bytes_ = 0;
};

}  // namespace msb::protocol
