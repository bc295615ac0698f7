// One running exec session: its process, output pipes (or terminal), pending stdin, and
// the two credit windows of docs/protocol.md "Flow control": stdin the session holds
// (acknowledged with exec.stdin_ack once written) and output the host has not
// acknowledged yet (core.ack). Not thread-safe: owned and driven by the agent loop.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <deque>
#include <optional>
#include <string>

#include "agent/exec_child.h"
#include "protocol/connection.h"
#include "protocol/flow_control.h"

namespace msb::agent {

class ExecSession {
 public:
  ExecSession(uint32_t id, ExecProcess process)
      : id_(id),
        process_(std::move(process)),
        output_credit_(protocol::kOutputWindowBytes),
        stdin_acks_(protocol::kStdinWindowBytes) {}

  uint32_t id() const { return id_; }
  pid_t pid() const { return process_.pid; }
  int stdout_fd() const { return process_.stdout_read.get(); }
  int stderr_fd() const { return process_.stderr_read.get(); }
  int stdin_fd() const { return process_.stdin_write.get(); }
  bool has_terminal() const { return process_.terminal.valid(); }
  bool wants_stdin_write() const { return process_.stdin_write && !stdin_chunks_.empty(); }
  // The cost (protocol::flow_cost) of the exec.stdin frames whose data the session holds.
  uint64_t stdin_held() const { return stdin_held_; }
  // True while the process runs, was not cancelled, and the host has credit for at least
  // one byte of output: only then are its output fds worth reading.
  bool wants_output() const;
  bool exited() const { return exit_.has_value(); }

  // Reads what one output fd has now and queues it as exec.stdout/exec.stderr frames of at
  // most 64 KiB, within the host's credit. Reads at most `budget` bytes so that one chatty
  // process cannot starve the others.
  void pump_output(int fd, protocol::FrameConnection& connection, size_t budget);
  // The host took `bytes` of the session's output (core.ack).
  void acknowledge_output(uint64_t bytes) { output_credit_.acknowledge(bytes); }
  // Appends host data for stdin; `cost` is the frame's flow cost, acknowledged once the data
  // is written (or dropped). `eof` closes a pipe once everything is written; on a terminal
  // it writes the EOF character (^D) instead. Ignored (and acknowledged at once) without
  // stdin, once the process has closed its stdin, after eof, and after the exit.
  void queue_stdin(std::string data, bool eof, uint64_t cost,
                   protocol::FrameConnection& connection);
  // Writes pending stdin (call on POLLOUT). When the process has closed its stdin (EPIPE,
  // or EIO from a terminal whose every user is gone), drops the rest and queues one
  // exec.stdin_closed. Queues exec.stdin_ack for what it wrote: once a quarter window has
  // gathered, and whenever the session holds no stdin any more.
  void write_stdin(protocol::FrameConnection& connection);
  // Sets the terminal's window size (the kernel signals SIGWINCH to its foreground
  // group). Ignored without a terminal.
  void resize(uint32_t rows, uint32_t cols);
  // Sends `signal` to the session's process group (until the exit).
  void send_signal(int signal);
  // core.cancel: kills the process group (SIGKILL) and drops its output from now on; the
  // session ends with exec.exited once the process is reaped.
  void cancel();
  // Records the exit of the reaped process. Pending stdin is written once more (so that a
  // process that closed its stdin is reported), then dropped.
  void on_exit(int code, int signal, protocol::FrameConnection& connection);
  // After on_exit: forwards what is in the output pipes now (up to 1 MiB per stream, as
  // credit allows: it is called again after core.ack), then queues exec.exited. True once
  // exec.exited is queued: the session is over.
  bool drain_after_exit(protocol::FrameConnection& connection);

 private:
  enum class ReadEnd { kStopped, kEmpty, kEnded };
  struct StdinChunk {
    std::string data;
    uint64_t cost;
  };

  // Reads `fd` into output frames until `budget` (decremented) or the credit runs out
  // (kStopped), the fd has nothing now (kEmpty), or it reached its end (kEnded; closed).
  ReadEnd read_output(os::Fd& fd, protocol::FrameConnection& connection, size_t& budget);
  void close_stdin_if_done();
  void drop_stdin(protocol::FrameConnection& connection);
  void report_stdin_closed(int sys_errno, protocol::FrameConnection& connection);
  void send_stdin_ack(bool all, protocol::FrameConnection& connection);

  uint32_t id_;
  ExecProcess process_;
  protocol::CreditWindow output_credit_;
  // Pending stdin as the host's chunks: writing from the front never moves the rest.
  std::deque<StdinChunk> stdin_chunks_;
  size_t stdin_offset_ = 0;  // bytes of stdin_chunks_.front() already written
  uint64_t stdin_held_ = 0;  // the cost of the chunks
  protocol::AckBatch stdin_acks_;
  bool stdin_eof_ = false;
  bool stdin_closed_ = false;  // the process closed its stdin; the host was told
  bool at_line_start_ = true;  // the last stdin byte queued was a newline (or none yet)
  bool cancelled_ = false;
  struct Exit {
    int code;
    int signal;
  };
  std::optional<Exit> exit_;
  size_t drain_left_[2] = {0, 0};  // after the exit: what stdout, stderr may still forward
};

}  // namespace msb::agent
