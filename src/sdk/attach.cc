#include "sdk/attach.h"

#include <poll.h>
#include <signal.h>

#include <optional>

#include "os/clock.h"
#include "os/io.h"
#include "os/pty.h"
#include "os/signals.h"
#include "os/terminal.h"
#include "sdk/detach_keys.h"

namespace msb::sdk {
namespace {

constexpr size_t kReadBytes = 64 * 1024;

// Everything the session has now, without waiting; the exit status once it ended.
Result<std::optional<os::ExitStatus>> drain_events(ExecSession& session,
                                                   const AttachConfig& config) {
  for (;;) {
    Result<std::optional<ExecEventData>> event = session.next(os::monotonic_ns());
    if (!event && event.error().kind == ErrorKind::kTimeout) return std::optional<os::ExitStatus>();
    std::optional<ExecEventData> got = MSB_TRY(std::move(event));
    if (!got) return std::optional<os::ExitStatus>(os::ExitStatus{});
    using Kind = ExecEventData::Kind;
    if (got->kind == Kind::kStdout) MSB_TRY(os::write_all(config.out_fd, got->data));
    if (got->kind == Kind::kStderr) MSB_TRY(os::write_all(config.err_fd, got->data));
    if (got->kind == Kind::kExited) {
      if (got->timed_out) return make_error(ErrorKind::kTimeout, "the command timed out; killed");
      return std::optional<os::ExitStatus>(os::ExitStatus{got->exit_code, got->signal});
    }
  }
}

Result<void> resize_to_host(ExecSession& session, int fd) {
  std::optional<std::pair<uint32_t, uint32_t>> size = host_window_size(fd);
  if (!size) return {};
  return session.resize(size->first, size->second);
}

// One read of host input, passed on; true when it held the detach keys. `matcher` is
// null when input is not from a raw host terminal: its bytes are all plain input then.
Result<bool> forward_input(ExecSession& session, DetachMatcher* matcher, std::string_view data,
                           bool& stdin_open) {
  if (data.empty()) {
    // End of input: a held-back partial sequence was plain input after all.
    if (matcher) MSB_TRY(session.write_stdin(matcher->take_held()));
    stdin_open = false;
    MSB_TRY(session.close_stdin());
    return false;
  }
  if (!matcher) {
    MSB_TRY(session.write_stdin(data));
    return false;
  }
  DetachMatcher::Step step = matcher->feed(data);
  if (!step.forward.empty()) MSB_TRY(session.write_stdin(step.forward));
  return step.detach;
}

int poll_timeout_ms(const ExecSession& session) {
  uint64_t wake = session.wake_deadline();
  if (wake == kNoDeadline) return -1;
  uint64_t now = os::monotonic_ns();
  return now >= wake ? 0 : int((wake - now) / 1'000'000) + 1;
}

}  // namespace

std::optional<std::pair<uint32_t, uint32_t>> host_window_size(int fd) {
  Result<os::WindowSize> size = os::window_size(fd);
  if (!size || size->rows == 0 || size->cols == 0) return std::nullopt;
  return std::pair<uint32_t, uint32_t>(size->rows, size->cols);
}

Result<AttachOutcome> run_attach(ExecSession& session, const AttachConfig& config) {
  os::SignalFd signals = MSB_TRY(os::SignalFd::create({SIGWINCH, SIGINT, SIGTERM, SIGHUP}));
  std::optional<os::RawTerminal> raw;
  std::optional<DetachMatcher> matcher;
  // With a terminal forced while stdin is a pipe or a file, there is no host terminal to
  // make raw, and its bytes (the detach keys too) are plain input.
  if (config.tty && os::is_terminal(config.in_fd)) {
    raw.emplace(MSB_TRY(os::RawTerminal::enter(config.in_fd)));
    matcher.emplace(config.detach_sequence);
    MSB_TRY(resize_to_host(session, config.in_fd));
  }
  bool stdin_open = config.forward_stdin;
  char buffer[kReadBytes];
  for (;;) {
    std::optional<os::ExitStatus> ended = MSB_TRY(drain_events(session, config));
    if (ended) return AttachOutcome{false, *ended};
    pollfd fds[3] = {
        {session.fd(), short(POLLIN | (session.wants_write() ? POLLOUT : 0)), 0},
        {signals.fd(), POLLIN, 0},
        {stdin_open ? config.in_fd : -1, POLLIN, 0},
    };
    MSB_TRY(os::poll_fds(fds, poll_timeout_ms(session)));
    if (fds[1].revents & POLLIN) {
      while (std::optional<int> sig = MSB_TRY(signals.read_signal())) {
        if (*sig != SIGWINCH) return make_error(ErrorKind::kCancelled, "interrupted", *sig);
        if (raw) MSB_TRY(resize_to_host(session, config.in_fd));
      }
    }
    if (fds[2].revents & (POLLIN | POLLHUP | POLLERR)) {
      size_t got = MSB_TRY(os::read_some(config.in_fd, buffer));
      DetachMatcher* keys = matcher ? &*matcher : nullptr;
      if (MSB_TRY(forward_input(session, keys, std::string_view(buffer, got), stdin_open)))
        return AttachOutcome{true, {}};
    }
  }
}

}  // namespace msb::sdk
