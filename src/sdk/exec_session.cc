#include "sdk/exec_session.h"

#include <signal.h>

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
  } else if (std::holds_alternative<protocol::ExecStdinClosed>(message)) {
    event = {Kind::kStdinClosed};
  } else if (auto* exited = std::get_if<protocol::ExecExited>(&message)) {
    finished_ = true;
    event = {Kind::kExited, pid_, "", exited->code, exited->signal, killed_};
  } else if (auto* failed = std::get_if<protocol::ExecFailed>(&message)) {
    finished_ = true;
    return tl::unexpected(exec_failure(cmd_, *failed));
  } else if (auto* error = std::get_if<protocol::CoreError>(&message)) {
    finished_ = true;
    return err(ErrorKind::kProtocol, "exec {}: the agent rejected the request: {}", cmd_,
               error->message);
  } else {
    return std::optional<ExecEventData>();
  }
  return std::optional<ExecEventData>(std::move(event));
}

Result<std::optional<ExecEventData>> ExecSession::next(uint64_t deadline_ns) {
  for (;;) {
    if (!backlog_.empty()) {
      ExecEventData event = std::move(backlog_.front());
      backlog_.pop_front();
      return std::optional<ExecEventData>(std::move(event));
    }
    if (finished_) return std::optional<ExecEventData>();
    std::optional<ExecEventData> event = MSB_TRY(read_one(deadline_ns));
    if (event) return event;
  }
}

Result<void> ExecSession::write_stdin(std::string_view data) {
  while (!data.empty()) {
    std::string_view chunk = data.substr(0, kStdinChunkBytes);
    data.remove_prefix(chunk.size());
    MSB_TRY(client_.send(id_, 0, protocol::ExecStdin{{std::string(chunk)}, false}));
    // Bounded: wait for the process to take its input, keeping its output meanwhile.
    while (client_.queued_bytes() > kSendWindowBytes && !finished_) {
      Result<std::optional<ExecEventData>> event = read_one(os::monotonic_ns() + kBacklogPollNs);
      if (!event && event.error().kind != ErrorKind::kTimeout) return tl::unexpected(event.error());
      if (event && *event) backlog_.push_back(std::move(**event));
    }
  }
  return {};
}

Result<void> ExecSession::close_stdin() {
  return client_.send(id_, 0, protocol::ExecStdin{{}, true});
}

Result<void> ExecSession::signal(int sig) {
  return client_.send(id_, 0, protocol::ExecSignal{sig});
}

Result<void> ExecSession::resize(uint32_t rows, uint32_t cols) {
  return client_.send(id_, 0, protocol::ExecResize{rows, cols});
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
