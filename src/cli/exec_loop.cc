#include "cli/exec_loop.h"

#include <poll.h>
#include <signal.h>

#include <optional>

#include "os/clock.h"
#include "os/io.h"
#include "os/pty.h"
#include "os/signals.h"
#include "os/terminal.h"

namespace msb::cli {
namespace {

constexpr char kDetachKey = 0x1d;  // ctrl-]
constexpr size_t kReadBytes = 64 * 1024;

// Everything the session has now, without waiting.
Result<std::optional<os::ExitStatus>> drain_events(sdk::ExecSession& session) {
  for (;;) {
    Result<std::optional<sdk::ExecEventData>> event = session.next(os::monotonic_ns());
    if (!event && event.error().kind == ErrorKind::kTimeout) return std::optional<os::ExitStatus>();
    std::optional<sdk::ExecEventData> got = MSB_TRY(std::move(event));
    if (!got) return std::optional<os::ExitStatus>(os::ExitStatus{});
    using Kind = sdk::ExecEventData::Kind;
    if (got->kind == Kind::kStdout) MSB_TRY(os::write_all(1, got->data));
    if (got->kind == Kind::kStderr) MSB_TRY(os::write_all(2, got->data));
    if (got->kind == Kind::kExited) {
      if (got->timed_out) return make_error(ErrorKind::kTimeout, "the command timed out; killed");
      return std::optional<os::ExitStatus>(os::ExitStatus{got->exit_code, got->signal});
    }
  }
}

Result<void> resize_to_host(sdk::ExecSession& session) {
  Result<os::WindowSize> size = os::window_size(0);
  if (!size) return {};
  return session.resize(size->rows, size->cols);
}

}  // namespace

Result<os::ExitStatus> run_exec_loop(sdk::ExecSession& session, const ExecLoopOptions& options) {
  os::SignalFd signals = MSB_TRY(os::SignalFd::create({SIGWINCH, SIGINT, SIGTERM, SIGHUP}));
  std::optional<os::RawTerminal> raw;
  // With a terminal forced (-t) while msb's stdin is a pipe or a file, there is no host
  // terminal to make raw, and its bytes (ctrl-] too) are plain input.
  if (options.tty && os::is_terminal(0)) {
    raw.emplace(MSB_TRY(os::RawTerminal::enter(0)));
    MSB_TRY(resize_to_host(session));
  }
  bool stdin_open = options.forward_stdin;
  char buffer[kReadBytes];
  for (;;) {
    std::optional<os::ExitStatus> ended = MSB_TRY(drain_events(session));
    if (ended) return *ended;
    pollfd fds[3] = {
        {session.fd(), short(POLLIN | (session.wants_write() ? POLLOUT : 0)), 0},
        {signals.fd(), POLLIN, 0},
        {stdin_open ? 0 : -1, POLLIN, 0},
    };
    int wait_ms = -1;
    if (uint64_t wake = session.wake_deadline(); wake != sdk::kNoDeadline) {
      uint64_t now = os::monotonic_ns();
      wait_ms = now >= wake ? 0 : int((wake - now) / 1'000'000) + 1;
    }
    MSB_TRY(os::poll_fds(fds, wait_ms));
    if (fds[1].revents & POLLIN) {
      while (std::optional<int> sig = MSB_TRY(signals.read_signal())) {
        if (*sig == SIGWINCH) {
          MSB_TRY(resize_to_host(session));
        } else {
          return make_error(ErrorKind::kCancelled, "interrupted", *sig);
        }
      }
    }
    if (fds[2].revents & (POLLIN | POLLHUP | POLLERR)) {
      size_t got = MSB_TRY(os::read_some(0, buffer));
      std::string_view data(buffer, got);
      if (raw && data.find(kDetachKey) != std::string_view::npos) return os::ExitStatus{};
      if (got == 0) {
        stdin_open = false;
        MSB_TRY(session.close_stdin());
      } else {
        MSB_TRY(session.write_stdin(data));
      }
    }
  }
}

}  // namespace msb::cli
