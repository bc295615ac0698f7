// ProcessHandle: a pidfd on a process we did not start (a sandbox's supervisor, found by
// the pid and start time recorded in the state store). Signals go through the pidfd, so
// a pid reused by another process is never signalled by mistake.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

#include "common/error.h"
#include "os/fd.h"

namespace msb::os {

class ProcessHandle {
 public:
  // Opens the process `pid` if it still is the one that started at `start_time` (clock
  // ticks since boot; 0 accepts any). nullopt when it is gone. Errors: kIo, kPermissionDenied.
  static Result<std::optional<ProcessHandle>> open(int pid, uint64_t start_time);

  int pid() const { return pid_; }
  // Readable (POLLIN) once the process has exited.
  int pidfd() const { return pidfd_.get(); }
  bool exited() const;
  // Sends `sig`; success when the process has exited already.
  Result<void> signal(int sig);
  // Waits up to `timeout` for the process to exit; true when it did.
  Result<bool> wait_exit(std::chrono::milliseconds timeout);

 private:
  ProcessHandle(int pid, Fd pidfd) : pid_(pid), pidfd_(std::move(pidfd)) {}

  int pid_;
  Fd pidfd_;
};

}  // namespace msb::os
