#include "agent/agent_loop.h"

#include <poll.h>

#include <vector>

#include "agent/exec_env.h"
#include "agent/fs_service.h"
#include "os/io.h"
#include "os/system.h"

namespace msb::agent {
namespace {

// Output is not read while more than this waits for the host.
constexpr size_t kOutboundHighWater = 1 << 20;
constexpr size_t kReadBudgetPerRound = 256 * 1024;

}  // namespace

ExecSession* AgentLoop::session(uint32_t id) {
  auto it = sessions_.find(id);
  return it == sessions_.end() ? nullptr : it->second.get();
}

void AgentLoop::reply_error(uint32_t id, protocol::CoreError error) {
  (void)connection_.send(id, protocol::kFlagTerminal, error);
}

void AgentLoop::handle_exec_request(uint32_t id, const protocol::ExecRequest& request) {
  if (sessions_.contains(id)) {
    reply_error(id, {"invalid-session", "session id already in use", "exec.request"});
    return;
  }
  tl::expected<ExecLaunch, protocol::ExecFailed> launch = prepare_exec(request);
  if (!launch) {
    (void)connection_.send(id, protocol::kFlagTerminal, launch.error());
    return;
  }
  tl::expected<ExecProcess, protocol::ExecFailed> process = start_exec_process(*launch);
  if (!process) {
    (void)connection_.send(id, protocol::kFlagTerminal, process.error());
    return;
  }
  pid_t pid = process->pid;
  sessions_.emplace(id, std::make_unique<ExecSession>(id, std::move(*process)));
  (void)connection_.send(id, 0, protocol::ExecStarted{pid});
}

void AgentLoop::handle_fs_stat(uint32_t id, const protocol::FsStat& request) {
  // A terminal reply would end the live session's id for the host.
  if (sessions_.contains(id)) {
    reply_error(id, {"invalid-session", "session id already in use", "fs.stat"});
    return;
  }
  (void)connection_.send(id, protocol::kFlagTerminal, stat_path(request));
}

void AgentLoop::handle_frame(const protocol::Frame& frame) {
  tl::expected<protocol::Message, protocol::CoreError> decoded = protocol::decode_body(frame.body);
  if (!decoded) {
    reply_error(frame.id, decoded.error());
    return;
  }
  std::visit(
      [&](const auto& message) {
        using T = std::decay_t<decltype(message)>;
        ExecSession* target = session(frame.id);
        if constexpr (std::is_same_v<T, protocol::CorePing>) {
          (void)connection_.send(frame.id, protocol::kFlagTerminal, protocol::CorePong{});
        } else if constexpr (std::is_same_v<T, protocol::CoreShutdown>) {
          shutdown_requested_ = true;
        } else if constexpr (std::is_same_v<T, protocol::ExecRequest>) {
          handle_exec_request(frame.id, message);
        } else if constexpr (std::is_same_v<T, protocol::FsStat>) {
          handle_fs_stat(frame.id, message);
        } else if constexpr (std::is_same_v<T, protocol::ExecStdin>) {
          if (target)
            target->queue_stdin(message.data.data, message.eof);
          else
            reply_error(frame.id,
                        {"invalid-session", "no exec session with this id", "exec.stdin"});
        } else if constexpr (std::is_same_v<T, protocol::ExecSignal>) {
          if (target)
            target->send_signal(message.signal);
          else
            reply_error(frame.id,
                        {"invalid-session", "no exec session with this id", "exec.signal"});
        } else {
          reply_error(frame.id, {"unsupported-type", "the agent does not accept this message",
                                 std::string(protocol::message_name(message))});
        }
      },
      *decoded);
}

void AgentLoop::reap_children() {
  while (true) {
    Result<std::optional<int>> sig = child_signals_.read_signal();
    if (!sig || !*sig) break;
  }
  while (true) {
    Result<os::ReapResult> reaped = os::reap_any_child();
    if (!reaped || !reaped->child) return;
    const os::ReapedChild& child = *reaped->child;
    for (auto it = sessions_.begin(); it != sessions_.end(); ++it) {
      if (it->second->pid() == child.pid) {
        it->second->finish(child.code, child.signal, connection_);
        sessions_.erase(it);
        break;
      }
    }
  }
}

void AgentLoop::kill_sessions(int signal) {
  for (auto& [id, s] : sessions_) s->send_signal(signal);
}

void AgentLoop::build_poll_set(std::vector<pollfd>& fds, std::vector<ExecSession*>& owners) {
  fds.clear();
  owners.clear();
  auto watch = [&](int fd, short events, ExecSession* owner) {
    fds.push_back({fd, events, 0});
    owners.push_back(owner);
  };
  watch(connection_.fd(), short(POLLIN | (connection_.wants_write() ? POLLOUT : 0)), nullptr);
  watch(child_signals_.fd(), POLLIN, nullptr);
  // Flow control: while the host is behind, process output stays in the pipes (and the
  // processes block on them) instead of growing our queue.
  bool read_output = connection_.queued_bytes() < kOutboundHighWater;
  for (auto& [id, s] : sessions_) {
    if (read_output && s->stdout_fd() >= 0) watch(s->stdout_fd(), POLLIN, s.get());
    if (read_output && s->stderr_fd() >= 0) watch(s->stderr_fd(), POLLIN, s.get());
    if (s->wants_stdin_write()) watch(s->stdin_fd(), POLLOUT, s.get());
  }
}

Result<bool> AgentLoop::receive_from_host() {
  Result<bool> open = connection_.receive_some();
  while (auto item = connection_.next_frame()) {
    if (item->frame) {
      handle_frame(*item->frame);
      continue;
    }
    bool oversized = item->error->kind == protocol::FrameError::Kind::kOversized;
    reply_error(item->error->id, {oversized ? "oversized" : "malformed", item->error->message, ""});
  }
  return open;
}

Result<LoopExit> AgentLoop::run() {
  std::vector<pollfd> fds;
  std::vector<ExecSession*> owners;  // owners[i] is the session of fds[i], if any
  while (!shutdown_requested_) {
    build_poll_set(fds, owners);
    MSB_TRY(os::poll_fds(fds, -1));
    if (fds[0].revents & POLLOUT) MSB_TRY(connection_.flush_some());
    for (size_t i = 2; i < fds.size(); ++i) {
      if (!fds[i].revents) continue;
      if (fds[i].events & POLLOUT) {
        owners[i]->write_stdin();
      } else {
        owners[i]->pump_output(fds[i].fd, connection_, kReadBudgetPerRound);
      }
    }
    // Exits are handled after output so that a session's last bytes precede exec.exited.
    if (fds[1].revents & POLLIN) reap_children();
    if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      Result<bool> open = receive_from_host();
      if (!open || !*open) return LoopExit::kHostGone;
    }
    MSB_TRY(connection_.flush_some());
  }
  return LoopExit::kShutdownRequested;
}

}  // namespace msb::agent
