#include "agent/exec_session.h"

#include <signal.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>

#include "os/io.h"
#include "os/pty.h"
#include "os/system.h"

namespace msb::agent {
namespace {

constexpr size_t kChunkBytes = 64 * 1024;
// More than any pipe holds: what a process wrote before it exited, not a writer that lives on.
constexpr size_t kFinalDrainBytes = 1024 * 1024;
// The terminal's default EOF character (VEOF, ^D).
constexpr char kTerminalEof = '\x04';

uint16_t clamp_dimension(uint32_t value) {
  return static_cast<uint16_t>(std::min<uint32_t>(value, UINT16_MAX));
}

}  // namespace

bool ExecSession::wants_output() const {
  return !exit_ && !cancelled_ && output_credit_.room() > protocol::kFrameCost;
}

void ExecSession::pump_output(int fd, protocol::FrameConnection& connection, size_t budget) {
  if (fd == process_.stdout_read.get()) {
    (void)read_output(process_.stdout_read, connection, budget);
  } else if (fd == process_.stderr_read.get()) {
    (void)read_output(process_.stderr_read, connection, budget);
  }
}

ExecSession::ReadEnd ExecSession::read_output(os::Fd& fd, protocol::FrameConnection& connection,
                                              size_t& budget) {
  bool is_stdout = &fd == &process_.stdout_read;
  char buffer[kChunkBytes];
  while (budget > 0) {
    // Only what the host has credit for, so that its unread output stays within the window.
    uint64_t room = output_credit_.room();
    if (room <= protocol::kFrameCost) return ReadEnd::kStopped;
    size_t want = std::min<uint64_t>({sizeof buffer, budget, room - protocol::kFrameCost});
    Result<size_t> n = os::read_some(fd.get(), std::span(buffer, want));
    if (!n && n.error().sys_errno == EAGAIN) return ReadEnd::kEmpty;
    // End of file; a terminal reports EIO instead once no process holds it.
    if (!n || *n == 0) {
      fd.reset();
      return ReadEnd::kEnded;
    }
    budget -= *n;
    protocol::Bytes data{std::string(buffer, *n)};
    protocol::Message message = is_stdout
                                    ? protocol::Message(protocol::ExecStdout{std::move(data)})
                                    : protocol::Message(protocol::ExecStderr{std::move(data)});
    output_credit_.spend(protocol::flow_cost(message));
    (void)connection.send(id_, 0, message);  // 64 KiB always fits in a frame
  }
  return ReadEnd::kStopped;
}

void ExecSession::queue_stdin(std::string data, bool eof, uint64_t cost,
                              protocol::FrameConnection& connection) {
  if (!process_.stdin_write || stdin_closed_ || stdin_eof_ || exit_) {
    // Nothing is held for it: the host gets its credit back at once.
    stdin_acks_.consume(cost);
    send_stdin_ack(/*all=*/true, connection);
    return;
  }
  if (!data.empty()) at_line_start_ = data.back() == '\n' || data.back() == '\r';
  if (eof && has_terminal()) {
    // A canonical-mode terminal ends a pending partial line at the first ^D and reports end
    // of file at a ^D on an empty line. The terminal stays open for later data.
    data.append(at_line_start_ ? 1 : 2, kTerminalEof);
    at_line_start_ = true;
    eof = false;
  }
  stdin_eof_ = eof;
  if (data.empty()) {
    stdin_acks_.consume(cost);
  } else {
    stdin_held_ += cost;
    stdin_chunks_.push_back({std::move(data), cost});
  }
  write_stdin(connection);
}

void ExecSession::write_stdin(protocol::FrameConnection& connection) {
  while (process_.stdin_write && !stdin_chunks_.empty()) {
    StdinChunk& front = stdin_chunks_.front();
    std::string_view pending = std::string_view(front.data).substr(stdin_offset_);
    Result<size_t> n = os::write_some(process_.stdin_write.get(), pending);
    if (!n && n.error().sys_errno == EAGAIN) break;
    if (!n) {
      // EPIPE (EIO on a terminal): the process closed its stdin; nothing more can be delivered.
      drop_stdin(connection);
      report_stdin_closed(n.error().sys_errno, connection);
      return;
    }
    stdin_offset_ += *n;
    if (stdin_offset_ == front.data.size()) {
      stdin_held_ -= front.cost;
      stdin_acks_.consume(front.cost);
      stdin_chunks_.pop_front();
      stdin_offset_ = 0;
    }
  }
  close_stdin_if_done();
  send_stdin_ack(/*all=*/stdin_chunks_.empty(), connection);
}

void ExecSession::drop_stdin(protocol::FrameConnection& connection) {
  stdin_acks_.consume(stdin_held_);
  stdin_chunks_.clear();
  stdin_offset_ = 0;
  stdin_held_ = 0;
  process_.stdin_write.reset();
  send_stdin_ack(/*all=*/true, connection);
}

void ExecSession::report_stdin_closed(int sys_errno, protocol::FrameConnection& connection) {
  if (stdin_closed_) return;
  stdin_closed_ = true;
  (void)connection.send(id_, 0, protocol::ExecStdinClosed{sys_errno});
}

void ExecSession::send_stdin_ack(bool all, protocol::FrameConnection& connection) {
  uint64_t bytes = all ? stdin_acks_.take_all() : stdin_acks_.take();
  if (bytes > 0) (void)connection.send(id_, 0, protocol::ExecStdinAck{bytes});
}

void ExecSession::close_stdin_if_done() {
  if (stdin_eof_ && stdin_chunks_.empty()) process_.stdin_write.reset();
}

void ExecSession::resize(uint32_t rows, uint32_t cols) {
  if (!has_terminal() || exit_) return;
  (void)os::set_window_size(process_.terminal.get(), clamp_dimension(rows), clamp_dimension(cols));
}

void ExecSession::send_signal(int signal) {
  if (!exit_) (void)os::kill_process(-process_.pid, signal);
}

void ExecSession::cancel() {
  send_signal(SIGKILL);
  cancelled_ = true;
}

void ExecSession::on_exit(int code, int signal, protocol::FrameConnection& connection) {
  exit_ = Exit{code, signal};
  // stdin the process left unread is reported (exec.stdin_closed) before its exit; what a
  // background process keeps open without reading is dropped.
  if (!stdin_chunks_.empty()) write_stdin(connection);
  drop_stdin(connection);
  drain_left_[0] = drain_left_[1] = kFinalDrainBytes;
}

bool ExecSession::drain_after_exit(protocol::FrameConnection& connection) {
  // Everything the process wrote before exiting is in the pipes now; background children
  // that keep them open do not hold up the exit report.
  os::Fd* outputs[2] = {&process_.stdout_read, &process_.stderr_read};
  for (size_t i = 0; i < 2; ++i) {
    if (!outputs[i]->valid()) continue;
    if (!cancelled_ && read_output(*outputs[i], connection, drain_left_[i]) == ReadEnd::kStopped &&
        drain_left_[i] > 0) {
      return false;  // the host's credit ran out: go on after its core.ack
    }
    outputs[i]->reset();
  }
  process_.terminal.reset();
  (void)connection.send(id_, protocol::kFlagTerminal,
                        protocol::ExecExited{exit_->code, exit_->signal});
  return true;
}

}  // namespace msb::agent
