#include "agent/exec_session.h"

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

void ExecSession::pump_output(int fd, protocol::FrameConnection& connection, size_t budget) {
  bool is_stdout = fd == process_.stdout_read.get();
  char buffer[kChunkBytes];
  size_t total = 0;
  while (total < budget) {
    Result<size_t> n = os::read_some(fd, buffer);
    if (!n && n.error().sys_errno == EAGAIN) return;
    // End of file; a terminal reports EIO instead once no process holds it.
    if (!n || *n == 0) {
      (is_stdout ? process_.stdout_read : process_.stderr_read).reset();
      return;
    }
    total += *n;
    protocol::Bytes data{std::string(buffer, *n)};
    protocol::Message message = is_stdout
                                    ? protocol::Message(protocol::ExecStdout{std::move(data)})
                                    : protocol::Message(protocol::ExecStderr{std::move(data)});
    (void)connection.send(id_, 0, message);  // 64 KiB always fits in a frame
  }
}

void ExecSession::queue_stdin(std::string data, bool eof, protocol::FrameConnection& connection) {
  if (!process_.stdin_write || stdin_closed_ || stdin_eof_) return;
  if (!data.empty()) at_line_start_ = data.back() == '\n' || data.back() == '\r';
  if (eof && has_terminal()) {
    // A canonical-mode terminal ends a pending partial line at the first ^D and reports end
    // of file at a ^D on an empty line. The terminal stays open for later data.
    data.append(at_line_start_ ? 1 : 2, kTerminalEof);
    at_line_start_ = true;
    eof = false;
  }
  stdin_eof_ = eof;
  if (!data.empty()) {
    stdin_bytes_ += data.size();
    stdin_chunks_.push_back(std::move(data));
  }
  write_stdin(connection);
}

void ExecSession::write_stdin(protocol::FrameConnection& connection) {
  while (process_.stdin_write && !stdin_chunks_.empty()) {
    std::string_view pending = std::string_view(stdin_chunks_.front()).substr(stdin_offset_);
    Result<size_t> n = os::write_some(process_.stdin_write.get(), pending);
    if (!n && n.error().sys_errno == EAGAIN) return;
    if (!n) {
      drop_stdin(n.error().sys_errno, connection);
      return;
    }
    stdin_bytes_ -= *n;
    stdin_offset_ += *n;
    if (stdin_offset_ == stdin_chunks_.front().size()) {
      stdin_chunks_.pop_front();
      stdin_offset_ = 0;
    }
  }
  close_stdin_if_done();
}

void ExecSession::drop_stdin(int sys_errno, protocol::FrameConnection& connection) {
  // EPIPE (EIO on a terminal): the process closed its stdin; nothing more can be delivered.
  stdin_chunks_.clear();
  stdin_offset_ = 0;
  stdin_bytes_ = 0;
  process_.stdin_write.reset();
  if (stdin_closed_) return;
  stdin_closed_ = true;
  (void)connection.send(id_, 0, protocol::ExecStdinClosed{sys_errno});
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

void ExecSession::finish(int code, int signal, protocol::FrameConnection& connection) {
  exit_ = Exit{code, signal};
  // stdin the process left unread is reported (exec.stdin_closed) before its exit.
  if (stdin_bytes_ > 0) write_stdin(connection);
  // Everything the process wrote before exiting is in the pipes now; background children
  // that keep them open do not hold up the exit report.
  for (os::Fd* fd : {&process_.stdout_read, &process_.stderr_read}) {
    if (fd->valid()) pump_output(fd->get(), connection, kFinalDrainBytes);
    fd->reset();
  }
  process_.stdin_write.reset();
  process_.terminal.reset();
  (void)connection.send(id_, protocol::kFlagTerminal, protocol::ExecExited{code, signal});
}

}  // namespace msb::agent
