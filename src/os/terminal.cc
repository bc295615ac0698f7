#include "os/terminal.h"

#include <unistd.h>

#include <cerrno>

namespace msb::os {

bool is_terminal(int fd) { return ::isatty(fd) == 1; }

Result<RawTerminal> RawTerminal::enter(int fd) {
  termios saved{};
  if (::tcgetattr(fd, &saved) != 0) return errno_error(errno, "tcgetattr");
  termios raw = saved;
  ::cfmakeraw(&raw);
  if (::tcsetattr(fd, TCSAFLUSH, &raw) != 0) return errno_error(errno, "tcsetattr");
  return RawTerminal(fd, saved);
}

RawTerminal::~RawTerminal() {
  if (fd_ >= 0) (void)::tcsetattr(fd_, TCSAFLUSH, &saved_);
}

}  // namespace msb::os
