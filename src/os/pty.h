// Pseudo-terminals: a master/slave pair from /dev/ptmx, window sizes, descriptor copies.
// Errors carry the syscall name and errno. Thread-safe (no shared state).
#pragma once

#include <cstdint>
#include <string>

#include "common/error.h"
#include "os/fd.h"

namespace msb::os {

struct Pty {
  Fd master;         // O_CLOEXEC; the side a host-facing process reads and writes
  Fd slave;          // O_CLOEXEC | O_NOCTTY; the terminal a child process uses
  std::string path;  // the slave's path, e.g. /dev/pts/3
};

// Opens a new pty pair (posix_openpt, grantpt, unlockpt, ptsname, open) with the window
// size `rows` x `cols`. Returns the failing call's errno (kNotFound when /dev/ptmx is
// missing, kPermissionDenied when it may not be opened, kIo otherwise).
Result<Pty> open_pty(uint16_t rows, uint16_t cols);

// TIOCSWINSZ on a terminal fd (master or slave): the kernel sends SIGWINCH to the
// terminal's foreground process group when the size changes.
Result<void> set_window_size(int terminal_fd, uint16_t rows, uint16_t cols);

// TIOCGWINSZ: {rows, cols}.
struct WindowSize {
  uint16_t rows = 0;
  uint16_t cols = 0;
};
Result<WindowSize> window_size(int terminal_fd);

// fcntl(F_DUPFD_CLOEXEC): a second descriptor for the same open file (same offset, same
// O_NONBLOCK), so two owners can close theirs independently.
Result<Fd> duplicate_fd(int fd);
// The same, numbered at or above `min_fd` (to keep it clear of fds a child dup2s onto).
Result<Fd> duplicate_fd_from(int fd, int min_fd);

}  // namespace msb::os
