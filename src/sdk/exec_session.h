// ExecSession: one process in a sandbox, over its own agent connection. Yields its events
// in order, takes stdin with flow control, and kills the process group at its timeout.
// The public ExecStream, Sandbox::exec and `msb run/exec` all run on it. Not thread-safe.
#pragma once

#include <chrono>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "common/error.h"
#include "protocol/messages.h"
#include "sdk/agent_client.h"

namespace msb::sdk {

struct ExecSpec {
  protocol::ExecRequest request;          // stdin_pipe is set from the fields below
  std::optional<std::string> stdin_data;  // written, then EOF
  bool stdin_stream = false;              // the caller writes stdin
  std::optional<std::chrono::milliseconds> timeout;
};

struct ExecEventData {
  enum class Kind { kStarted, kStdout, kStderr, kStdinClosed, kExited } kind = Kind::kStarted;
  int pid = 0;
  std::string data;
  int exit_code = 0;
  int signal = 0;
  bool timed_out = false;
};

struct ExecResult {
  int exit_code = 0;
  int signal = 0;
  bool timed_out = false;
  std::string stdout_data;
  std::string stderr_data;
};

// Receives output as it arrives (stream 1 = stdout, 2 = stderr) instead of collecting it.
using OutputSink = std::function<Result<void>(int stream, std::string_view data)>;

class ExecSession {
 public:
  // Connects and sends the request. Errors: kNotFound (sandbox not running), kIo.
  static Result<ExecSession> start(const std::string& socket_path, ExecSpec spec);

  // The next event, or nullopt once the process has exited. kTimeout at `deadline_ns`;
  // kExecFailed when it could not start (sys_errno and the agent's reason);
  // kInvalidArgument when the sandbox is draining.
  Result<std::optional<ExecEventData>> next(uint64_t deadline_ns);
  // Queues stdin; waits (reading events into a backlog) while too much is unsent.
  Result<void> write_stdin(std::string_view data);
  Result<void> close_stdin();
  Result<void> signal(int sig);
  Result<void> resize(uint32_t rows, uint32_t cols);
  int pid() const { return pid_; }
  // The connection, to poll next to other fds (POLLIN, and POLLOUT when wants_write()).
  int fd() const { return client_.fd(); }
  bool wants_write() const { return client_.wants_write(); }
  // When a caller polling fd() must call next() even if nothing arrives: the timeout kill.
  uint64_t wake_deadline() const { return killed_ ? kNoDeadline : kill_deadline_; }
  bool finished() const { return finished_; }

 private:
  ExecSession(AgentClient client, uint32_t id, std::string cmd, uint64_t kill_deadline)
      : client_(std::move(client)), id_(id), cmd_(std::move(cmd)), kill_deadline_(kill_deadline) {}
  // Reads one frame (killing the process at its timeout); its event, if it has one.
  Result<std::optional<ExecEventData>> read_one(uint64_t deadline_ns);

  AgentClient client_;
  uint32_t id_;
  std::string cmd_;
  uint64_t kill_deadline_;
  bool killed_ = false;
  bool finished_ = false;
  int pid_ = 0;
  std::deque<ExecEventData> backlog_;
};

// Runs to completion; output is collected, or streamed to `sink` when given.
Result<ExecResult> run_exec(const std::string& socket_path, ExecSpec spec,
                            const OutputSink& sink = nullptr);

}  // namespace msb::sdk
