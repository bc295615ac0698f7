// The host's terminal for interactive sessions: raw mode that is always undone.
#pragma once

#include <termios.h>

#include "common/error.h"

namespace msb::os {

bool is_terminal(int fd);

// Puts the terminal `fd` in raw mode (cfmakeraw) and restores the saved settings on
// destruction, on every exit path. Move-only.
class RawTerminal {
 public:
  // Errors: kIo with the failing call (tcgetattr/tcsetattr).
  static Result<RawTerminal> enter(int fd);
  RawTerminal(RawTerminal&& other) noexcept : fd_(other.fd_), saved_(other.saved_) {
    other.fd_ = -1;
  }
  RawTerminal& operator=(RawTerminal&&) = delete;
  RawTerminal(const RawTerminal&) = delete;
  RawTerminal& operator=(const RawTerminal&) = delete;
  ~RawTerminal();

 private:
  RawTerminal(int fd, const termios& saved) : fd_(fd), saved_(saved) {}
  int fd_;
  termios saved_;
};

}  // namespace msb::os
