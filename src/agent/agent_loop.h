// The agent's event loop: one host channel, many exec sessions, and the child reaper.
// Single-threaded; every fd is non-blocking and output stops being read while the host
// is behind (bounded memory whatever the guest does).
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
  void reply_error(uint32_t id, protocol::CoreError error);
  void reap_children();
  ExecSession* session(uint32_t id);

  protocol::FrameConnection connection_;
  os::SignalFd child_signals_;
  std::map<uint32_t, std::unique_ptr<ExecSession>> sessions_;
  FsService fs_;  // fs requests and their sessions (fs.list, fs.read, fs.write)
  bool shutdown_requested_ = false;
};

}  // namespace msb::agent
