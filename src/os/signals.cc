#include "os/signals.h"

#include <sys/signalfd.h>

#include <cerrno>

#include "os/io.h"

namespace msb::os {

Result<SignalFd> SignalFd::create(std::initializer_list<int> signals) {
  sigset_t set;
  sigemptyset(&set);
  for (int sig : signals) sigaddset(&set, sig);
  sigset_t previous;
  if (int rc = ::pthread_sigmask(SIG_BLOCK, &set, &previous); rc != 0) {
    return errno_error(rc, "pthread_sigmask");
  }
  int fd = ::signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
  if (fd < 0) {
    int saved = errno;
    ::pthread_sigmask(SIG_SETMASK, &previous, nullptr);
    return errno_error(saved, "signalfd");
  }
  return SignalFd(Fd(fd), previous);
}

SignalFd::SignalFd(SignalFd&& other) noexcept
    : fd_(std::move(other.fd_)), previous_(other.previous_), owns_mask_(other.owns_mask_) {
  other.owns_mask_ = false;
}

SignalFd::~SignalFd() {
  if (owns_mask_) ::pthread_sigmask(SIG_SETMASK, &previous_, nullptr);
}

Result<std::optional<int>> SignalFd::read_signal() {
  signalfd_siginfo info{};
  Result<size_t> n = read_some(fd_.get(), std::span(reinterpret_cast<char*>(&info), sizeof info));
  if (!n) {
    if (n.error().sys_errno == EAGAIN) return std::optional<int>();
    return tl::unexpected(n.error());
  }
  if (*n != sizeof info) return std::optional<int>();
  return std::optional<int>(static_cast<int>(info.ssi_signo));
}

}  // namespace msb::os
