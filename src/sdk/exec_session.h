// ExecSession: one process in a sandbox, over its own agent connection. Yields its events
// in order, sends stdin within the agent's window, acknowledges output as next() hands it
// out (so an unread session holds back its own process only), and kills the process group
// at its timeout. The public ExecStream, Sandbox::exec and `msb run/exec` all run on it.
// Not thread-safe.
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
  uint64_t cost = 0;  // flow cost still to acknowledge when the event is consumed
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
  // kInvalidArgument when the sandbox is draining. Output events are acknowledged to the
  // agent as they are returned.
  Result<std::optional<ExecEventData>> next(uint64_t deadline_ns);
  // Sends stdin within the agent's window. While the window is full it waits for the
  // process to read, keeping the events that arrive meanwhile for next(); their output, and
  // the output kept while it sent, is acknowledged before it waits: a process like cat
  // writes before it reads more. Data after the exit or after the process closed its stdin
  // (kStdinClosed) is dropped.
  Result<void> write_stdin(std::string_view data);
  Result<void> close_stdin();
  Result<void> signal(int sig);
  Result<void> resize(uint32_t rows, uint32_t cols);
  // core.cancel: the agent kills the process group (SIGKILL) and drops its output; the
  // session still ends with kExited. A no-op once it has ended. Does not wait.
  Result<void> cancel();
  int pid() const { return pid_; }
  // The connection, to poll next to other fds (POLLIN, and POLLOUT when wants_write()).
  int fd() const { return client_.fd(); }
  bool wants_write() const { return client_.wants_write(); }
  // When a caller polling fd() must call next() even if nothing arrives: the timeout kill.
  uint64_t wake_deadline() const { return killed_ ? kNoDeadline : kill_deadline_; }
  bool finished() const { return finished_; }

 private:
  ExecSession(AgentClient client, uint32_t id, std::string cmd, uint64_t kill_deadline);
  // Reads one frame (killing the process at its timeout); its event, if it has one. A
  // failure to start ends the session and is kept for next().
  Result<std::optional<ExecEventData>> read_one(uint64_t deadline_ns);
  Result<void> send_stdin(protocol::ExecStdin frame);
  // One wait for stdin credit (at most 100 ms); events read go to the backlog, acknowledged.
  Result<void> wait_for_credit();
  // Takes what has arrived without waiting: credit back, events into the backlog (their
  // output not acknowledged yet: the caller may still read it with next()).
  Result<void> take_ready();
  // Acknowledges the output take_ready() put in the backlog, before a wait for credit.
  Result<void> acknowledge_backlog();
  bool stdin_done() const { return finished_ || stdin_closed_; }

  AgentClient client_;
  uint32_t id_;
  std::string cmd_;
  uint64_t kill_deadline_;
  bool killed_ = false;
  bool finished_ = false;
  bool stdin_closed_ = false;
  int pid_ = 0;
  std::optional<Error> failure_;  // why it could not start; returned by next()
  protocol::CreditWindow stdin_credit_;
  size_t stdin_chunk_bytes_;
  protocol::AckBatch output_acks_;
  std::deque<ExecEventData> backlog_;
  // The last this many backlog events came from take_ready() and still carry their cost;
  // the ones before them were acknowledged when they were read.
  size_t unacknowledged_backlog_ = 0;
};

// Runs to completion; output is collected, or streamed to `sink` when given.
Result<ExecResult> run_exec(const std::string& socket_path, ExecSpec spec,
                            const OutputSink& sink = nullptr);

}  // namespace msb::sdk
