// The agent's event loop: one host channel, many exec sessions, and the child reaper.
// Single-threaded; every fd is non-blocking. A session's output is read only while the
// host has credit for it and the channel's queue is short, and a session holds at most a
// window of stdin, so memory is bounded whatever the guest or the host does, and the
// channel is always read.
#pragma once

#include <poll.h>

#include <map>
#include <memory>
#include <vector>

#include "agent/exec_session.h"
#include "agent/fs_service.h"
#include "common/error.h"
#include "os/signals.h"
#include "protocol/connection.h"

namespace msb::agent {

enum class LoopExit { kShutdownRequested, kHostGone };

class AgentLoop {
 public:
  AgentLoop(protocol::FrameConnection connection, os::SignalFd child_signals)
      : connection_(std::move(connection)), child_signals_(std::move(child_signals)) {}

  protocol::FrameConnection& connection() { return connection_; }
  // Serves the host until it asks for shutdown or goes away.
  Result<LoopExit> run();
  // Signals every session's process group (used before shutdown outside a VM).
  void kill_sessions(int signal);

 private:
  void build_poll_set(std::vector<pollfd>& fds, std::vector<ExecSession*>& owners);
  // Reads and handles what the host sent; false once the host has gone.
  Result<bool> receive_from_host();
  void handle_frame(const protocol::Frame& frame);
  void handle_exec_request(uint32_t id, const protocol::ExecRequest& request);
  // core.ack and core.cancel, for a session of either family; ignored for other ids (the
  // session may have ended while the frame was on its way).
  void acknowledge(uint32_t id, uint64_t bytes);
  void cancel(uint32_t id);
  void reply_error(uint32_t id, protocol::CoreError error);
  void reap_children();
  // Ends the exited sessions whose remaining output has been forwarded.
  void finish_exited_sessions();
  ExecSession* session(uint32_t id);

  protocol::FrameConnection connection_;
  os::SignalFd child_signals_;
  std::map<uint32_t, std::unique_ptr<ExecSession>> sessions_;
  FsService fs_;  // fs requests and their sessions (fs.list, fs.read, fs.write)
  bool shutdown_requested_ = false;
};

}  // namespace msb::agent
