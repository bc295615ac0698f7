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
#include "protocol/flow_control.h"
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
  // The agent's credit windows (core.ready): the exec.stdin cost a session may have
  // unacknowledged, and the output cost the agent sends a session before it waits for
  // core.ack.
  uint64_t stdin_window() const { return stdin_window_; }
  uint64_t output_window() const { return output_window_; }
  // Queues a frame and writes what the socket takes now.
  Result<void> send(uint32_t id, uint8_t flags, const protocol::Message& message);
  // The consumer of session `id` took a frame of flow cost `cost` (protocol::flow_cost):
  // sends core.ack once `acks` has gathered a batch. Output is acknowledged as it is
  // consumed, never as it arrives, so that a reader that stops holds back its session only.
  Result<void> consumed(uint32_t id, protocol::AckBatch& acks, uint64_t cost);
  // core.cancel for session `id`: the agent ends it whatever its family (best effort).
  Result<void> cancel(uint32_t id) { return send(id, 0, protocol::CoreCancel{}); }
  size_t queued_bytes() const { return connection_.queued_bytes(); }
  // For callers that poll this connection with their own fds; then next(now) reads.
  int fd() const { return connection_.fd(); }
  bool wants_write() const { return connection_.wants_write(); }
  // The next frame (writing queued data meanwhile); kTimeout at the deadline, kIo when
  // the sandbox went away (or its supervisor disconnected us, with its reason).
  Result<protocol::Envelope> next(uint64_t deadline_ns);
  // Writes queued frames until at most `bytes` are left (true), or until bytes arrive
  // from the sandbox first (false: next() reads them). Errors: kIo when the sandbox went
  // away.
  Result<bool> flush_below(size_t bytes);

 private:
  explicit AgentClient(protocol::FrameConnection connection) : connection_(std::move(connection)) {}

  protocol::FrameConnection connection_;
  uint32_t next_id_ = 1;
  bool closed_ = false;
  std::string close_reason_;  // a core.error with id 0 from the supervisor
  uint64_t stdin_window_ = protocol::kStdinWindowBytes;
  uint64_t output_window_ = protocol::kOutputWindowBytes;
};

}  // namespace msb::sdk
