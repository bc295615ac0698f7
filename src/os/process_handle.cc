#include "os/process_handle.h"

#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

#include "os/io.h"
#include "os/process_stat.h"

namespace msb::os {

Result<std::optional<ProcessHandle>> ProcessHandle::open(int pid, uint64_t start_time) {
  if (pid <= 0) return std::optional<ProcessHandle>();
  int raw = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  if (raw < 0) {
    if (errno == ESRCH) return std::optional<ProcessHandle>();
    return errno_error(errno, "pidfd_open " + std::to_string(pid));
  }
  ProcessHandle handle(pid, Fd(raw));
  // Checked after opening: from here on the pidfd pins this very process.
  if (!ProcessStat::read_started_at(pid, start_time)) return std::optional<ProcessHandle>();
  return std::optional<ProcessHandle>(std::move(handle));
}

bool ProcessHandle::exited() const {
  pollfd entry{pidfd_.get(), POLLIN, 0};
  return ::poll(&entry, 1, 0) > 0;
}

Result<void> ProcessHandle::signal(int sig) {
  if (::syscall(SYS_pidfd_send_signal, pidfd_.get(), sig, nullptr, 0) == 0) return {};
  if (errno == ESRCH) return {};
  return errno_error(errno, "signal pid " + std::to_string(pid_));
}

Result<bool> ProcessHandle::wait_exit(std::chrono::milliseconds timeout) {
  pollfd entry{pidfd_.get(), POLLIN, 0};
  int ready = MSB_TRY(poll_fds({&entry, 1}, static_cast<int>(timeout.count())));
  return ready > 0;
}

}  // namespace msb::os
