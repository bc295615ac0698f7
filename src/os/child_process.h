// ChildProcess: a spawned process held by pidfd. Its destructor kills (SIGKILL) and reaps
// it unless it was reaped already or detach() was called, so no child is ever leaked.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/error.h"
#include "os/fd.h"

namespace msb::os {

struct ExitStatus {
  int code = 0;    // exit code when exited normally
  int signal = 0;  // terminating signal, 0 if exited normally

  // The shell convention: the exit code, or 128+N when killed by signal N.
  int shell_code() const { return signal != 0 ? 128 + signal : code; }
  bool success() const { return signal == 0 && code == 0; }
};

struct SpawnOptions {
  std::vector<std::string> argv;  // argv[0] is resolved against $PATH if it has no '/'
  std::optional<std::vector<std::string>> env;  // nullopt: inherit ours
  std::string cwd;                              // empty: inherit ours
  // (our fd, fd number in the child). Child fds 0, 1 and 2 not listed here get /dev/null.
  std::vector<std::pair<int, int>> fds;
  bool new_session = false;
  int parent_death_signal = 0;  // e.g. SIGKILL: the child dies with us
};

class ChildProcess {
 public:
  // Starts the process. Errors: kNotFound (executable missing), kPermissionDenied,
  // or kIo with the step that failed in the child ("dup2", "chdir", "execve").
  static Result<ChildProcess> spawn(const SpawnOptions& options);
  // Takes ownership of a child started some other way (e.g. clone3 with CLONE_PIDFD).
  static ChildProcess adopt(pid_t pid, Fd pidfd) { return ChildProcess(pid, std::move(pidfd)); }
  // Forks a child that runs `body` and then _exits with its return value (no atexit
  // handlers, no destructors of objects it inherited). For code that needs a process
  // running a function rather than a program, such as tests of seccomp and cgroups.
  // Errors: kIo (fork, pidfd_open). REQUIRES: the caller is single-threaded, or `body`
  // makes only async-signal-safe calls.
  static Result<ChildProcess> fork_and_run(const std::function<int()>& body);

  ChildProcess(ChildProcess&& other) noexcept;
  ChildProcess& operator=(ChildProcess&& other) noexcept;
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  ~ChildProcess();

  pid_t pid() const { return pid_; }
  // Readable (POLLIN) once the process has exited.
  int pidfd() const { return pidfd_.get(); }
  bool running() const { return pid_ > 0 && !status_; }

  // Non-blocking: the exit status if the process has exited (reaping it), else nullopt.
  Result<std::optional<ExitStatus>> try_wait();
  // Waits up to `timeout` (forever when negative).
  Result<std::optional<ExitStatus>> wait_for(std::chrono::milliseconds timeout);
  Result<ExitStatus> wait();
  // Sends `sig`; a no-op success if the process was already reaped.
  Result<void> signal(int sig);
  // SIGKILL then reap.
  Result<ExitStatus> kill_and_wait();
  // Forgets the process: it keeps running and is not reaped by us.
  void detach();

 private:
  ChildProcess(pid_t pid, Fd pidfd) : pid_(pid), pidfd_(std::move(pidfd)) {}
  // Takes a freshly forked child by pidfd; kills and reaps it if pidfd_open fails.
  static Result<ChildProcess> adopt(pid_t pid);
  void reset();

  pid_t pid_ = -1;
  Fd pidfd_;
  std::optional<ExitStatus> status_;
};

// Looks `name` up like execvp does (in `path_env`, a colon-separated list) and returns
// the executable's path. kNotFound if absent, kPermissionDenied if found but not
// executable. A name containing '/' is returned as is when it exists.
Result<std::string> find_executable(const std::string& name, const std::string& path_env);

// Replaces this process with `argv[0]` (a path) run with `argv`, keeping the environment
// and the file descriptors not marked close-on-exec. Returns only on failure (kNotFound,
// kPermissionDenied, kIo: "execv <path>").
Result<void> exec_replace(const std::vector<std::string>& argv);

// find_executable on this process's $PATH (/usr/bin:/bin when unset), then the sbin
// directories, which non-login root shells often lack (mkfs.ext4 lives there).
Result<std::string> find_host_executable(const std::string& name);

}  // namespace msb::os
