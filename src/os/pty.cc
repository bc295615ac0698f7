#include "os/pty.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <termios.h>

#include <cerrno>

namespace msb::os {

Result<void> set_window_size(int terminal_fd, uint16_t rows, uint16_t cols) {
  winsize size{};
  size.ws_row = rows;
  size.ws_col = cols;
  if (::ioctl(terminal_fd, TIOCSWINSZ, &size) != 0) return errno_error(errno, "ioctl TIOCSWINSZ");
  return {};
}

Result<WindowSize> window_size(int terminal_fd) {
  winsize size{};
  if (::ioctl(terminal_fd, TIOCGWINSZ, &size) != 0) return errno_error(errno, "ioctl TIOCGWINSZ");
  return WindowSize{size.ws_row, size.ws_col};
}

Result<Fd> duplicate_fd(int fd) { return duplicate_fd_from(fd, 0); }

Result<Fd> duplicate_fd_from(int fd, int min_fd) {
  int copy = ::fcntl(fd, F_DUPFD_CLOEXEC, min_fd);
  if (copy < 0) return errno_error(errno, "fcntl F_DUPFD_CLOEXEC");
  return Fd(copy);
}

Result<Pty> open_pty(uint16_t rows, uint16_t cols) {
  // O_NOCTTY: the agent itself must never acquire the terminal as its controlling tty.
  Pty pty;
  pty.master = Fd(::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC));
  if (!pty.master) return errno_error(errno, "posix_openpt /dev/ptmx");
  if (::grantpt(pty.master.get()) != 0) return errno_error(errno, "grantpt");
  if (::unlockpt(pty.master.get()) != 0) return errno_error(errno, "unlockpt");
  char name[128];
  if (int rc = ::ptsname_r(pty.master.get(), name, sizeof name); rc != 0) {
    return errno_error(rc, "ptsname");
  }
  pty.path = name;
  int slave = -1;
  do {
    slave = ::open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
  } while (slave < 0 && errno == EINTR);
  if (slave < 0) return errno_error(errno, "open " + pty.path);
  pty.slave = Fd(slave);
  MSB_TRY(set_window_size(pty.master.get(), rows, cols));
  return pty;
}

}  // namespace msb::os
