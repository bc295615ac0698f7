#include "agent/agent_loop.h"

#include <poll.h>

#include <vector>

#include "agent/exec_env.h"
#include "agent/fs_service.h"
#include "os/io.h"
#include "os/system.h"
#include "protocol/flow_control.h"

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
  if (sessions_.contains(id) || fs_.is_live(id)) {
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

void AgentLoop::acknowledge(uint32_t id, uint64_t bytes) {
  if (ExecSession* target = session(id)) {
    target->acknowledge_output(bytes);
  } else {
    fs_.acknowledge(id, bytes);
  }
}

void AgentLoop::cancel(uint32_t id) {
  if (ExecSession* target = session(id)) {
    target->cancel();
  } else {
    fs_.cancel(id, connection_);
  }
}

void AgentLoop::handle_frame(const protocol::Frame& frame) {
  tl::expected<protocol::Message, protocol::CoreError> decoded = protocol::decode_body(frame.body);
  if (!decoded) {
    reply_error(frame.id, decoded.error());
    return;
  }
  if (is_fs_message(*decoded)) {
    fs_.handle_frame(frame.id, *decoded, sessions_.contains(frame.id), connection_);
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
        } else if constexpr (std::is_same_v<T, protocol::CoreAck>) {
          acknowledge(frame.id, message.bytes);
        } else if constexpr (std::is_same_v<T, protocol::CoreCancel>) {
          cancel(frame.id);
        } else if constexpr (std::is_same_v<T, protocol::ExecRequest>) {
          handle_exec_request(frame.id, message);
        } else if constexpr (std::is_same_v<T, protocol::ExecStdin>) {
          if (target)
            target->queue_stdin(message.data.data, message.eof, protocol::flow_cost(*decoded),
                                connection_);
          else
            reply_error(frame.id,
                        {"invalid-session", "no exec session with this id", "exec.stdin"});
        } else if constexpr (std::is_same_v<T, protocol::ExecSignal>) {
          if (target)
            target->send_signal(message.signal);
          else
            reply_error(frame.id,
                        {"invalid-session", "no exec session with this id", "exec.signal"});
        } else if constexpr (std::is_same_v<T, protocol::ExecResize>) {
          if (target)
            target->resize(message.rows, message.cols);
          else
            reply_error(frame.id,
                        {"invalid-session", "no exec session with this id", "exec.resize"});
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
    for (auto& [id, s] : sessions_) {
      if (s->pid() == child.pid && !s->exited()) {
        s->on_exit(child.code, child.signal, connection_);
        break;
      }
    }
  }
}

void AgentLoop::finish_exited_sessions() {
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    if (it->second->exited() && it->second->drain_after_exit(connection_)) {
      it = sessions_.erase(it);
    } else {
      ++it;
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
  // A host keeps each session's stdin within the window; one that does not is left in the
  // channel (its writes block) rather than buffered: our memory stays bounded either way.
  bool read_host = true;
  for (auto& [id, s] : sessions_)
    read_host = read_host && s->stdin_held() <= protocol::kStdinWindowBytes;
  watch(connection_.fd(),
        short((read_host ? POLLIN : 0) | (connection_.wants_write() ? POLLOUT : 0)), nullptr);
  watch(child_signals_.fd(), POLLIN, nullptr);
  // While the channel is behind, or a session's host has not acknowledged a window of its
  // output, process output stays in the pipes (and the processes block on them) instead of
  // growing our queue or the host's.
  bool read_output = connection_.queued_bytes() < kOutboundHighWater;
  for (auto& [id, s] : sessions_) {
    bool wanted = read_output && s->wants_output();
    if (wanted && s->stdout_fd() >= 0) watch(s->stdout_fd(), POLLIN, s.get());
    if (wanted && s->stderr_fd() >= 0) watch(s->stderr_fd(), POLLIN, s.get());
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
    // Producing fs sessions (list, read) go on at once while the host keeps up.
    bool produce = fs_.wants_to_produce() && connection_.queued_bytes() < kOutboundHighWater;
    MSB_TRY(os::poll_fds(fds, produce ? 0 : -1));
    if (fds[0].revents & POLLOUT) MSB_TRY(connection_.flush_some());
    for (size_t i = 2; i < fds.size(); ++i) {
      if (!fds[i].revents) continue;
      if (fds[i].events & POLLOUT) {
        owners[i]->write_stdin(connection_);
      } else {
        owners[i]->pump_output(fds[i].fd, connection_, kReadBudgetPerRound);
      }
    }
    // Host frames before exits: stdin sent for a process that has just exited is answered
    // with exec.stdin_closed, not with a core.error for a session that ended meanwhile.
    if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      Result<bool> open = receive_from_host();
      if (!open || !*open) return LoopExit::kHostGone;
    }
    // Exits are handled after output so that a session's last bytes precede exec.exited.
    if (fds[1].revents & POLLIN) reap_children();
    finish_exited_sessions();
    fs_.produce(connection_, kOutboundHighWater);
    MSB_TRY(connection_.flush_some());
  }
  return LoopExit::kShutdownRequested;
}

}  // namespace msb::agent
