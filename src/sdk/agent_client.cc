#include "sdk/agent_client.h"

#include <poll.h>
#include <signal.h>

#include <limits>

#include "os/clock.h"
#include "os/io.h"
#include "os/unix_socket.h"
#include "runtime/agent_relay.h"

namespace msb::sdk {
namespace {

constexpr uint64_t kForever = std::numeric_limits<uint64_t>::max();
constexpr size_t kStdinChunk = 64 * 1024;

uint64_t deadline_after(std::optional<std::chrono::milliseconds> timeout) {
  if (!timeout) return kForever;
  return os::monotonic_ns() + uint64_t(timeout->count()) * 1'000'000;
}

Error exec_failure(const protocol::ExecFailed& failed) {
  if (failed.kind == "draining") return Error{ErrorKind::kInvalidArgument, 0, failed.message};
  return Error{ErrorKind::kExecFailed, failed.errno_value, failed.message};
}

}  // namespace

Result<AgentClient> AgentClient::connect(const std::string& socket_path,
                                         std::chrono::milliseconds timeout) {
  os::Fd fd = MSB_TRY(os::connect_unix(socket_path));
  AgentClient client(MSB_TRY(protocol::FrameConnection::create(std::move(fd))));
  protocol::Envelope hello = MSB_TRY(client.next(deadline_after(timeout)));
  if (!std::holds_alternative<protocol::CoreReady>(hello.message))
    return err(ErrorKind::kProtocol, "{}: expected the supervisor's greeting", socket_path);
  return client;
}

Result<protocol::Envelope> AgentClient::next(uint64_t deadline_ns) {
  for (;;) {
    std::optional<protocol::Envelope> envelope = MSB_TRY(connection_.next_envelope("sandbox"));
    if (envelope) return std::move(*envelope);
    if (closed_)
      return err(ErrorKind::kIo, "the sandbox stopped (its supervisor closed the connection)");
    uint64_t now = os::monotonic_ns();
    if (now >= deadline_ns) return err(ErrorKind::kTimeout, "no answer from the sandbox in time");
    int wait_ms = deadline_ns == kForever ? -1 : int((deadline_ns - now) / 1'000'000) + 1;
    pollfd entry{connection_.fd(), short(POLLIN | (connection_.wants_write() ? POLLOUT : 0)), 0};
    MSB_TRY(os::poll_fds({&entry, 1}, wait_ms));
    if (entry.revents & POLLOUT) MSB_TRY(connection_.flush_some());
    if (entry.revents & (POLLIN | POLLHUP | POLLERR)) {
      bool open = MSB_TRY(connection_.receive_some());
      if (!open) closed_ = true;
    }
  }
}

Result<ExecResult> AgentClient::exec(const protocol::ExecRequest& request,
                                     const std::optional<std::string>& stdin_data,
                                     std::optional<std::chrono::milliseconds> timeout,
                                     const OutputSink& sink) {
  uint32_t id = next_id_++;
  uint64_t deadline = deadline_after(timeout);
  protocol::ExecRequest sent = request;
  sent.stdin_pipe = stdin_data.has_value();
  MSB_TRY(connection_.send(id, protocol::kFlagSessionStart, sent));
  if (stdin_data) {
    std::string_view rest = *stdin_data;
    do {
      std::string_view chunk = rest.substr(0, kStdinChunk);
      rest.remove_prefix(chunk.size());
      MSB_TRY(connection_.send(id, 0, protocol::ExecStdin{{std::string(chunk)}, rest.empty()}));
    } while (!rest.empty());
  }
  ExecResult result;
  bool killed = false;
  for (;;) {
    Result<protocol::Envelope> envelope = next(killed ? kForever : deadline);
    if (!envelope && envelope.error().kind == ErrorKind::kTimeout && !killed) {
      // Past its time: kill it and collect the exit, so nothing keeps running.
      MSB_TRY(connection_.send(id, 0, protocol::ExecSignal{SIGKILL}));
      killed = true;
      continue;
    }
    if (!envelope) return tl::unexpected(envelope.error());
    if (envelope->id != id) continue;
    const protocol::Message& message = envelope->message;
    if (auto* out = std::get_if<protocol::ExecStdout>(&message)) {
      if (sink)
        MSB_TRY(sink(1, out->data.data));
      else
        result.stdout_data += out->data.data;
    } else if (auto* out_err = std::get_if<protocol::ExecStderr>(&message)) {
      if (sink)
        MSB_TRY(sink(2, out_err->data.data));
      else
        result.stderr_data += out_err->data.data;
    } else if (auto* exited = std::get_if<protocol::ExecExited>(&message)) {
      if (killed)
        return err(ErrorKind::kTimeout, "{}: still running after {} ms; killed", request.cmd,
                   timeout->count());
      result.exit_code = exited->code;
      result.signal = exited->signal;
      return result;
    } else if (auto* failed = std::get_if<protocol::ExecFailed>(&message)) {
      return tl::unexpected(exec_failure(*failed));
    } else if (auto* error = std::get_if<protocol::CoreError>(&message)) {
      return err(ErrorKind::kProtocol, "the agent rejected the request: {}", error->message);
    }
  }
}

Result<protocol::FsStatResult> AgentClient::stat(const std::string& path) {
  uint32_t id = next_id_++;
  MSB_TRY(connection_.send(id, protocol::kFlagSessionStart, protocol::FsStat{path}));
  for (;;) {
    protocol::Envelope envelope = MSB_TRY(next(kForever));
    if (envelope.id != id) continue;
    if (auto* stat = std::get_if<protocol::FsStatResult>(&envelope.message)) return *stat;
    if (auto* failed = std::get_if<protocol::FsError>(&envelope.message))
      return make_error(failed->kind == "not-found" ? ErrorKind::kNotFound : ErrorKind::kIo,
                        "stat " + path + ": " + failed->message, failed->errno_value);
    if (auto* error = std::get_if<protocol::CoreError>(&envelope.message))
      return err(ErrorKind::kProtocol, "the agent rejected stat: {}", error->message);
  }
}

}  // namespace msb::sdk
