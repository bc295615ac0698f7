#include "sdk/exec_session.h"

#include <signal.h>

#include <algorithm>
#include <utility>

#include "os/clock.h"

namespace msb::sdk {
namespace {

constexpr size_t kStdinChunkBytes = 64 * 1024;
constexpr std::chrono::milliseconds kConnectTimeout{10'000};
constexpr uint64_t kBacklogPollNs = 100'000'000;

Error exec_failure(const std::string& cmd, const protocol::ExecFailed& failed) {
  if (failed.kind == "draining") return Error{ErrorKind::kInvalidArgument, 0, failed.message};
  return Error{ErrorKind::kExecFailed, failed.errno_value,
               "exec " + cmd + ": " + failed.kind + ": " + failed.message};
}

}  // namespace

ExecSession::ExecSession(AgentClient client, uint32_t id, std::string cmd, uint64_t kill_deadline)
    : client_(std::move(client)),
      id_(id),
      cmd_(std::move(cmd)),
      kill_deadline_(kill_deadline),
      stdin_credit_(client_.stdin_window()),
      // Several chunks per window, so that the pipe is fed while acknowledgements travel.
      stdin_chunk_bytes_(
          std::max<uint64_t>(1, std::min<uint64_t>(kStdinChunkBytes, client_.stdin_window() / 4))),
      output_acks_(client_.output_window()) {}

Result<ExecSession> ExecSession::start(const std::string& socket_path, ExecSpec spec) {
  AgentClient client = MSB_TRY(AgentClient::connect(socket_path, kConnectTimeout));
  uint32_t id = client.new_id();
  spec.request.stdin_pipe = spec.stdin_data || spec.stdin_stream || spec.request.tty;
  MSB_TRY(client.send(id, protocol::kFlagSessionStart, spec.request));
  ExecSession session(std::move(client), id, spec.request.cmd, deadline_after(spec.timeout));
  if (spec.stdin_data) {
    MSB_TRY(session.write_stdin(*spec.stdin_data));
    MSB_TRY(session.close_stdin());
  }
  return session;
}

Result<std::optional<ExecEventData>> ExecSession::read_one(uint64_t deadline_ns) {
  uint64_t wait_until = killed_ ? deadline_ns : std::min(deadline_ns, kill_deadline_);
  Result<protocol::Envelope> envelope = client_.next(wait_until);
  if (!envelope && envelope.error().kind == ErrorKind::kTimeout && !killed_ &&
      os::monotonic_ns() >= kill_deadline_) {
    // Past its time: the whole process group goes, and the exit will say why.
    MSB_TRY(client_.send(id_, 0, protocol::ExecSignal{SIGKILL}));
    killed_ = true;
    return std::optional<ExecEventData>();
  }
  if (!envelope) return tl::unexpected(envelope.error());
  if (envelope->id != id_) return std::optional<ExecEventData>();
  using Kind = ExecEventData::Kind;
  const protocol::Message& message = envelope->message;
  ExecEventData event;
  if (auto* started = std::get_if<protocol::ExecStarted>(&message)) {
    pid_ = static_cast<int>(started->pid);
    event = {Kind::kStarted, pid_};
  } else if (auto* out = std::get_if<protocol::ExecStdout>(&message)) {
    event = {Kind::kStdout, 0, out->data.data};
  } else if (auto* err_out = std::get_if<protocol::ExecStderr>(&message)) {
    event = {Kind::kStderr, 0, err_out->data.data};
  } else if (auto* ack = std::get_if<protocol::ExecStdinAck>(&message)) {
    stdin_credit_.acknowledge(ack->bytes);
    return std::optional<ExecEventData>();
  } else if (std::holds_alternative<protocol::ExecStdinClosed>(message)) {
    stdin_closed_ = true;
    event = {Kind::kStdinClosed};
  } else if (auto* exited = std::get_if<protocol::ExecExited>(&message)) {
    finished_ = true;
    event = {Kind::kExited, pid_, "", exited->code, exited->signal, killed_};
  } else if (auto* failed = std::get_if<protocol::ExecFailed>(&message)) {
    finished_ = true;
    failure_ = exec_failure(cmd_, *failed);
    return std::optional<ExecEventData>();
  } else if (auto* error = std::get_if<protocol::CoreError>(&message)) {
    finished_ = true;
    failure_ = Error{ErrorKind::kProtocol, 0,
                     "exec " + cmd_ + ": the agent rejected the request: " + error->message};
    return std::optional<ExecEventData>();
  } else {
    return std::optional<ExecEventData>();
  }
  event.cost = protocol::flow_cost(message);
  return std::optional<ExecEventData>(std::move(event));
}

Result<std::optional<ExecEventData>> ExecSession::next(uint64_t deadline_ns) {
  for (;;) {
    std::optional<ExecEventData> event;
    if (!backlog_.empty()) {
      if (backlog_.size() == unacknowledged_backlog_) --unacknowledged_backlog_;
      event = std::move(backlog_.front());
      backlog_.pop_front();
    } else if (finished_) {
      if (failure_) return tl::unexpected(*failure_);
      return std::optional<ExecEventData>();
    } else {
      event = MSB_TRY(read_one(deadline_ns));
    }
    if (!event) continue;
    // Handed out: the agent may send that much more. Not after the end (no session left).
    if (!finished_) MSB_TRY(client_.consumed(id_, output_acks_, std::exchange(event->cost, 0)));
    return event;
  }
}

Result<void> ExecSession::write_stdin(std::string_view data) {
  while (!data.empty() && !stdin_done()) {
    std::string_view chunk = data.substr(0, stdin_chunk_bytes_);
    data.remove_prefix(chunk.size());
    MSB_TRY(send_stdin(protocol::ExecStdin{{std::string(chunk)}, false}));
  }
  return {};
}

Result<void> ExecSession::close_stdin() { return send_stdin(protocol::ExecStdin{{}, true}); }

Result<void> ExecSession::send_stdin(protocol::ExecStdin frame) {
  uint64_t cost = protocol::flow_cost(frame);
  while (!stdin_done() && !stdin_credit_.fits(cost)) MSB_TRY(wait_for_credit());
  if (stdin_done()) return {};
  MSB_TRY(client_.send(id_, 0, frame));
  stdin_credit_.spend(cost);
  // Acknowledgements and output are read as they come, so that they never pile up unread
  // in the supervisor while the caller only writes.
  return take_ready();
}

Result<void> ExecSession::wait_for_credit() {
  // Output take_ready() kept for the caller counts against the agent's output window until
  // it is acknowledged. Unacknowledged while we wait, a window of it stops the agent
  // forwarding output, so a process like cat stops reading its stdin and the credit we
  // wait for never comes.
  MSB_TRY(acknowledge_backlog());
  Result<std::optional<ExecEventData>> event = read_one(os::monotonic_ns() + kBacklogPollNs);
  if (!event) {
    if (event.error().kind == ErrorKind::kTimeout) return {};
    return tl::unexpected(event.error());
  }
  if (!*event) return {};
  // The caller is blocked on stdin, so output is taken (and acknowledged) now: a process
  // like cat stops reading while its output is not taken.
  if (!finished_) MSB_TRY(client_.consumed(id_, output_acks_, std::exchange((*event)->cost, 0)));
  backlog_.push_back(std::move(**event));
  return {};
}

Result<void> ExecSession::take_ready() {
  while (!finished_) {
    Result<std::optional<ExecEventData>> event = read_one(os::monotonic_ns());
    if (!event) {
      if (event.error().kind == ErrorKind::kTimeout) return {};
      return tl::unexpected(event.error());
    }
    if (!*event) continue;
    backlog_.push_back(std::move(**event));
    ++unacknowledged_backlog_;
  }
  return {};
}

Result<void> ExecSession::acknowledge_backlog() {
  size_t first = backlog_.size() - std::exchange(unacknowledged_backlog_, 0);
  if (finished_) return {};  // no session left to acknowledge to
  for (size_t i = first; i < backlog_.size(); ++i)
    MSB_TRY(client_.consumed(id_, output_acks_, std::exchange(backlog_[i].cost, 0)));
  return {};
}

Result<void> ExecSession::signal(int sig) {
  return client_.send(id_, 0, protocol::ExecSignal{sig});
}

Result<void> ExecSession::resize(uint32_t rows, uint32_t cols) {
  return client_.send(id_, 0, protocol::ExecResize{rows, cols});
}

Result<void> ExecSession::cancel() {
  if (finished_) return {};
  return client_.cancel(id_);
}

Result<ExecResult> run_exec(const std::string& socket_path, ExecSpec spec, const OutputSink& sink) {
  ExecSession session = MSB_TRY(ExecSession::start(socket_path, std::move(spec)));
  ExecResult result;
  while (std::optional<ExecEventData> event = MSB_TRY(session.next(kNoDeadline))) {
    using Kind = ExecEventData::Kind;
    if (event->kind == Kind::kStdout || event->kind == Kind::kStderr) {
      int stream = event->kind == Kind::kStdout ? 1 : 2;
      if (sink) {
        MSB_TRY(sink(stream, event->data));
      } else {
        (stream == 1 ? result.stdout_data : result.stderr_data) += event->data;
      }
    } else if (event->kind == Kind::kExited) {
      result.exit_code = event->exit_code;
      result.signal = event->signal;
      result.timed_out = event->timed_out;
    }
  }
  return result;
}

}  // namespace msb::sdk
