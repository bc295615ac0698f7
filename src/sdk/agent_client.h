// AgentClient: one connection to a running sandbox's agent.sock (through its supervisor's
// relay): frames out, frames in, with the deadline and flow control every caller needs.
// exec_session.h and fs_client.h build the requests on it. Not thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>

#include "common/error.h"
#include "protocol/connection.h"
#include "protocol/messages.h"

namespace msb::sdk {

inline constexpr uint64_t kNoDeadline = std::numeric_limits<uint64_t>::max();
// Past this much unsent data a writer waits for the peer (reading meanwhile).
inline constexpr size_t kSendWindowBytes = 8u << 20;

// Monotonic deadline `timeout` from now (kNoDeadline for nullopt).
uint64_t deadline_after(std::optional<std::chrono::milliseconds> timeout);

class AgentClient {
 public:
  // Connects and waits for the supervisor's greeting. Errors: kNotFound (not running),
  // kTimeout, kProtocol.
  static Result<AgentClient> connect(const std::string& socket_path,
                                     std::chrono::milliseconds timeout);

  // A fresh request id on this connection.
  uint32_t new_id() { return next_id_++; }
  // Queues a frame and writes what the socket takes now.
  Result<void> send(uint32_t id, uint8_t flags, const protocol::Message& message);
  size_t queued_bytes() const { return connection_.queued_bytes(); }
  // For callers that poll this connection with their own fds; then next(now) reads.
  int fd() const { return connection_.fd(); }
  bool wants_write() const { return connection_.wants_write(); }
  // The next frame (writing queued data meanwhile); kTimeout at the deadline, kIo when
  // the sandbox went away.
  Result<protocol::Envelope> next(uint64_t deadline_ns);

 private:
  explicit AgentClient(protocol::FrameConnection connection) : connection_(std::move(connection)) {}

  protocol::FrameConnection connection_;
  uint32_t next_id_ = 1;
  bool closed_ = false;
};

}  // namespace msb::sdk
