#include "agent/exec_session.h"

#include <cerrno>

#include "os/io.h"
#include "os/system.h"

namespace msb::agent {
namespace {

constexpr size_t kChunkBytes = 64 * 1024;
// More than any pipe holds: what a process wrote before it exited, not a writer that lives on.
constexpr size_t kFinalDrainBytes = 1024 * 1024;

}  // namespace

void ExecSession::pump_output(int fd, protocol::FrameConnection& connection, size_t budget) {
  bool is_stdout = fd == process_.stdout_read.get();
  char buffer[kChunkBytes];
  size_t total = 0;
  while (total < budget) {
    Result<size_t> n = os::read_some(fd, buffer);
    if (!n && n.error().sys_errno == EAGAIN) return;
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

void ExecSession::queue_stdin(std::string data, bool eof) {
  if (!process_.stdin_write) return;
  stdin_buffer_.append(data);
  stdin_eof_ = stdin_eof_ || eof;
  write_stdin();
}

void ExecSession::write_stdin() {
  while (process_.stdin_write && !stdin_buffer_.empty()) {
    Result<size_t> n = os::write_some(process_.stdin_write.get(), stdin_buffer_);
    if (!n && n.error().sys_errno == EAGAIN) return;
    if (!n) {
      // EPIPE: the process closed its stdin; nothing more can be delivered.
      stdin_buffer_.clear();
      process_.stdin_write.reset();
      return;
    }
    stdin_buffer_.erase(0, *n);
  }
  close_stdin_if_done();
}

void ExecSession::close_stdin_if_done() {
  if (stdin_eof_ && stdin_buffer_.empty()) process_.stdin_write.reset();
}

void ExecSession::send_signal(int signal) {
  if (!exit_) (void)os::kill_process(-process_.pid, signal);
}

void ExecSession::finish(int code, int signal, protocol::FrameConnection& connection) {
  exit_ = Exit{code, signal};
  // Everything the process wrote before exiting is in the pipes now; background children
  // that keep them open do not hold up the exit report.
  for (os::Fd* fd : {&process_.stdout_read, &process_.stderr_read}) {
    if (fd->valid()) pump_output(fd->get(), connection, kFinalDrainBytes);
    fd->reset();
  }
  process_.stdin_write.reset();
  (void)connection.send(id_, protocol::kFlagTerminal, protocol::ExecExited{code, signal});
}

}  // namespace msb::agent
