// SignalFd: blocks a set of signals for this thread and delivers them through a readable
// fd instead, so event loops handle signals like any other input. The previous mask is
// restored on destruction.
#pragma once

#include <signal.h>

#include <initializer_list>
#include <optional>

#include "common/error.h"
#include "os/fd.h"

namespace msb::os {

class SignalFd {
 public:
  static Result<SignalFd> create(std::initializer_list<int> signals);
  SignalFd(SignalFd&& other) noexcept;
  SignalFd& operator=(SignalFd&&) = delete;
  SignalFd(const SignalFd&) = delete;
  SignalFd& operator=(const SignalFd&) = delete;
  ~SignalFd();

  int fd() const { return fd_.get(); }
  // The next pending signal number, or nullopt when none is pending.
  Result<std::optional<int>> read_signal();

 private:
  SignalFd(Fd fd, sigset_t previous) : fd_(std::move(fd)), previous_(previous) {}
  Fd fd_;
  sigset_t previous_;
  bool owns_mask_ = true;
};

}  // namespace msb::os
