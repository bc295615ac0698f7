// One running exec session: its process, output pipes and pending stdin.
#pragma once

#include <sys/types.h>

#include <cstdint>
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
  bool wants_stdin_write() const { return process_.stdin_write && !stdin_buffer_.empty(); }
  bool exited() const { return exit_.has_value(); }

  // Reads what one output pipe has now and queues it as exec.stdout/exec.stderr frames.
  // Reads at most `budget` bytes so that one chatty process cannot starve the others.
  void pump_output(int fd, protocol::FrameConnection& connection, size_t budget);
  // Appends host data for stdin; `eof` closes stdin once everything is written.
  void queue_stdin(std::string data, bool eof);
  // Writes pending stdin (call on POLLOUT). A process that closed its stdin makes us drop
  // the rest.
  void write_stdin();
  // Sends `signal` to the session's process group.
  void send_signal(int signal);
  // Records the exit, drains what is left in the pipes, and queues exec.exited.
  void finish(int code, int signal, protocol::FrameConnection& connection);

 private:
  void close_stdin_if_done();

  uint32_t id_;
  ExecProcess process_;
  std::string stdin_buffer_;
  bool stdin_eof_ = false;
  struct Exit {
    int code;
    int signal;
  };
  std::optional<Exit> exit_;
};

}  // namespace msb::agent
