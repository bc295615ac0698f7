// One running exec session: its process, output pipes (or terminal) and pending stdin.
// Not thread-safe: owned and driven by the agent loop.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <deque>
#include <optional>
#include <string>

#include "agent/exec_child.h"
#include "protocol/connection.h"

namespace msb::agent {

class ExecSession {
 public:
  ExecSession(uint32_t id, ExecProcess process) : id_(id), process_(std::move(process)) {}

  uint32_t id() const { return id_; }
  pid_t pid() const { return process_.pid; }
  int stdout_fd() const { return process_.stdout_read.get(); }
  int stderr_fd() const { return process_.stderr_read.get(); }
  int stdin_fd() const { return process_.stdin_write.get(); }
  bool has_terminal() const { return process_.terminal.valid(); }
  bool wants_stdin_write() const { return process_.stdin_write && stdin_bytes_ > 0; }
  // Bytes of stdin received from the host and not yet written to the process.
  size_t stdin_backlog() const { return stdin_bytes_; }
  bool exited() const { return exit_.has_value(); }

  // Reads what one output fd has now and queues it as exec.stdout/exec.stderr frames.
  // Reads at most `budget` bytes so that one chatty process cannot starve the others.
  void pump_output(int fd, protocol::FrameConnection& connection, size_t budget);
  // Appends host data for stdin. `eof` closes a pipe once everything is written; on a
  // terminal it writes the EOF character (^D) instead. Ignored without stdin, and once the
  // process has closed its stdin.
  void queue_stdin(std::string data, bool eof, protocol::FrameConnection& connection);
  // Writes pending stdin (call on POLLOUT). When the process has closed its stdin (EPIPE,
  // or EIO from a terminal whose every user is gone), drops the rest and queues one
  // exec.stdin_closed.
  void write_stdin(protocol::FrameConnection& connection);
  // Sets the terminal's window size (the kernel signals SIGWINCH to its foreground
  // group). Ignored without a terminal.
  void resize(uint32_t rows, uint32_t cols);
  // Sends `signal` to the session's process group.
  void send_signal(int signal);
  // Records the exit, drains what is left in the pipes, and queues exec.exited.
  void finish(int code, int signal, protocol::FrameConnection& connection);

 private:
  void close_stdin_if_done();
  void drop_stdin(int sys_errno, protocol::FrameConnection& connection);

  uint32_t id_;
  ExecProcess process_;
  // Pending stdin as the host's chunks: writing from the front never moves the rest.
  std::deque<std::string> stdin_chunks_;
  size_t stdin_offset_ = 0;  // bytes of stdin_chunks_.front() already written
  size_t stdin_bytes_ = 0;   // unwritten bytes in all chunks
  bool stdin_eof_ = false;
  bool stdin_closed_ = false;  // the process closed its stdin; the host was told
  bool at_line_start_ = true;  // the last stdin byte queued was a newline (or none yet)
  struct Exit {
    int code;
    int signal;
  };
  std::optional<Exit> exit_;
};

}  // namespace msb::agent
