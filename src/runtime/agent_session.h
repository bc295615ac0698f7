// The host end of one agent channel: waits for core.ready and exchanges frames, while
// watching the engine process so that a dead guest is an error, never a hang.
#pragma once

#include <chrono>
#include <optional>

#include "common/error.h"
#include "os/signals.h"
#include "protocol/connection.h"

namespace msb::runtime {

class AgentSession {
 public:
  // `engine_exit_fd` turns readable when the engine process ends; `interrupts` may be null.
  AgentSession(protocol::FrameConnection connection, int engine_exit_fd, os::SignalFd* interrupts)
      : connection_(std::move(connection)),
        engine_exit_fd_(engine_exit_fd),
        interrupts_(interrupts) {}

  protocol::FrameConnection& connection() { return connection_; }

  // Waits for the next decoded frame. Errors: kTimeout, kBootFailed when the engine
  // exited ("sandbox exited"), kCancelled (sys_errno = the signal), kProtocol.
  Result<protocol::Envelope> next(std::chrono::milliseconds timeout);

 private:
  protocol::FrameConnection connection_;
  int engine_exit_fd_;
  os::SignalFd* interrupts_;
  bool closed_ = false;
};

}  // namespace msb::runtime
