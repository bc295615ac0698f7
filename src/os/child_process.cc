#include "os/child_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "os/io.h"

extern char** environ;

namespace msb::os {
namespace {

// What the child reports over the CLOEXEC pipe when a step before exec fails.
struct ChildFailure {
  int step;
  int sys_errno;
};
constexpr const char* kStepNames[] = {"dup",   "dup2", "setsid",      "prctl",
                                      "chdir", "open", "close_range", "execve"};
enum Step { kDup, kDup2, kSetsid, kPrctl, kChdir, kOpen, kCloseRange, kExecve };
// The child moves mapped fds into a fixed array: it must not allocate.
constexpr size_t kMaxFdMappings = 64;

[[noreturn]] void child_fail(int report_fd, Step step) {
  ChildFailure failure{step, errno};
  (void)!::write(report_fd, &failure, sizeof failure);
  ::_exit(127);
}

// Runs in the child between fork and exec: async-signal-safe calls only, no allocation.
[[noreturn]] void child_exec(const SpawnOptions& options, pid_t parent, const char* path,
                             char* const* argv, char* const* envp, int report_fd) {
  // Signal masks and ignored dispositions survive exec: give the child clean ones.
  sigset_t empty;
  sigemptyset(&empty);
  ::sigprocmask(SIG_SETMASK, &empty, nullptr);
  ::signal(SIGPIPE, SIG_DFL);
  if (options.new_session && ::setsid() < 0) child_fail(report_fd, kSetsid);
  if (options.parent_death_signal != 0) {
    if (::prctl(PR_SET_PDEATHSIG, options.parent_death_signal) != 0) child_fail(report_fd, kPrctl);
    // The parent may have died before prctl: then nobody would ever send the signal.
    if (::getppid() != parent) ::_exit(127);
  }
  // Move every source fd, and the report fd, above all targets first so that mappings
  // may overlap and no target overwrites the report fd.
  int high = 3;
  for (const auto& [from, to] : options.fds) high = std::max(high, std::max(from, to) + 1);
  high = std::max(high, report_fd + 1);
  int moved_report_fd = ::fcntl(report_fd, F_DUPFD_CLOEXEC, high);
  if (moved_report_fd < 0) child_fail(report_fd, kDup);
  report_fd = moved_report_fd;
  int moved[kMaxFdMappings];
  size_t count = options.fds.size();
  for (size_t i = 0; i < count; ++i) {
    moved[i] = ::fcntl(options.fds[i].first, F_DUPFD_CLOEXEC, high);
    if (moved[i] < 0) child_fail(report_fd, kDup);
  }
  // Inherited fds that are not CLOEXEC must not reach the child either. This runs before
  // the dup2 calls below, which give the targets fresh fds without CLOEXEC.
  if (::close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) != 0) child_fail(report_fd, kCloseRange);
  bool mapped[3] = {false, false, false};
  for (size_t i = 0; i < count; ++i) {
    int to = options.fds[i].second;
    if (::dup2(moved[i], to) < 0) child_fail(report_fd, kDup2);
    if (to < 3) mapped[to] = true;
  }
  for (int fd = 0; fd < 3; ++fd) {
    if (mapped[fd]) continue;
    int null_fd = ::open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY);
    if (null_fd < 0) child_fail(report_fd, kOpen);
    if (null_fd != fd && ::dup2(null_fd, fd) < 0) child_fail(report_fd, kDup2);
    if (null_fd != fd) ::close(null_fd);
  }
  if (!options.cwd.empty() && ::chdir(options.cwd.c_str()) != 0) child_fail(report_fd, kChdir);
  ::execve(path, argv, envp);
  child_fail(report_fd, kExecve);
}

std::vector<char*> c_strings(const std::vector<std::string>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  for (const std::string& s : strings) out.push_back(const_cast<char*>(s.c_str()));
  out.push_back(nullptr);
  return out;
}

ExitStatus status_from_siginfo(const siginfo_t& info) {
  if (info.si_code == CLD_EXITED) return ExitStatus{info.si_status, 0};
  return ExitStatus{0, info.si_status};
}

}  // namespace

Result<std::string> find_executable(const std::string& name, const std::string& path_env) {
  if (name.empty()) return err(ErrorKind::kNotFound, "empty command");
  if (name.find('/') != std::string::npos) {
    struct stat st {};
    if (::stat(name.c_str(), &st) != 0) return errno_error(errno, name);
    return name;
  }
  bool found_not_executable = false;
  size_t start = 0;
  while (start <= path_env.size()) {
    size_t end = path_env.find(':', start);
    if (end == std::string::npos) end = path_env.size();
    std::string dir = path_env.substr(start, end - start);
    std::string candidate = (dir.empty() ? "." : dir) + "/" + name;
    struct stat st {};
    if (::stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode)) {
      if (::access(candidate.c_str(), X_OK) == 0) return candidate;
      found_not_executable = true;
    }
    start = end + 1;
  }
  if (found_not_executable) {
    return make_error(ErrorKind::kPermissionDenied, name + ": permission denied", EACCES);
  }
  return make_error(ErrorKind::kNotFound, name + ": command not found", ENOENT);
}

Result<void> exec_replace(const std::vector<std::string>& argv) {
  MSB_CHECK(!argv.empty());
  std::vector<char*> pointers;
  for (const std::string& arg : argv) pointers.push_back(const_cast<char*>(arg.c_str()));
  pointers.push_back(nullptr);
  ::execv(argv[0].c_str(), pointers.data());
  int error = errno;
  ErrorKind kind = error == ENOENT   ? ErrorKind::kNotFound
                   : error == EACCES ? ErrorKind::kPermissionDenied
                                     : ErrorKind::kIo;
  return make_error(kind, "execv " + argv[0] + ": " + std::strerror(error), error);
}

Result<std::string> find_host_executable(const std::string& name) {
  const char* path_env = std::getenv("PATH");
  std::string search = path_env && *path_env ? path_env : "/usr/bin:/bin";
  return find_executable(name, search + ":/usr/sbin:/sbin");
}

Result<ChildProcess> ChildProcess::spawn(const SpawnOptions& options) {
  if (options.argv.empty()) return err(ErrorKind::kInvalidArgument, "spawn: empty argv");
  if (options.fds.size() > kMaxFdMappings) {
    return err(ErrorKind::kInvalidArgument, "spawn: more than {} fd mappings", kMaxFdMappings);
  }
  for (const auto& [from, to] : options.fds) {
    if (from < 0 || to < 0)
      return err(ErrorKind::kInvalidArgument, "spawn: negative fd in mapping");
  }
  std::string path = MSB_TRY(find_host_executable(options.argv[0]));
  std::vector<char*> argv = c_strings(options.argv);
  std::vector<char*> envp;
  if (options.env) envp = c_strings(*options.env);
  char* const* env_ptr = options.env ? envp.data() : environ;
  PipePair report = MSB_TRY(make_pipe());

  pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid < 0) return errno_error(errno, "fork");
  if (pid == 0) child_exec(options, parent, path.c_str(), argv.data(), env_ptr, report.write.get());

  report.write.reset();
  ChildProcess child = MSB_TRY(adopt(pid));
  ChildFailure failure{};
  size_t got = MSB_TRY(
      read_some(report.read.get(), std::span(reinterpret_cast<char*>(&failure), sizeof failure)));
  if (got == 0) return child;  // exec succeeded: the pipe closed on exec
  (void)child.wait();
  return errno_error(failure.sys_errno,
                     std::string("spawn ") + options.argv[0] + ": " + kStepNames[failure.step]);
}

Result<ChildProcess> ChildProcess::fork_and_run(const std::function<int()>& body) {
  pid_t pid = ::fork();
  if (pid < 0) return errno_error(errno, "fork");
  if (pid == 0) ::_exit(body());
  return adopt(pid);
}

Result<ChildProcess> ChildProcess::adopt(pid_t pid) {
  int raw_pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  if (raw_pidfd < 0) {
    int saved = errno;
    // Without a pidfd there is no race-free handle: kill by pid while it is still our
    // unreaped child (so the pid cannot have been reused), then reap it.
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    return errno_error(saved, "pidfd_open");
  }
  return ChildProcess(pid, Fd(raw_pidfd));
}

ChildProcess::ChildProcess(ChildProcess&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)),
      pidfd_(std::move(other.pidfd_)),
      status_(other.status_) {}

ChildProcess& ChildProcess::operator=(ChildProcess&& other) noexcept {
  if (this != &other) {
    reset();
    pid_ = std::exchange(other.pid_, -1);
    pidfd_ = std::move(other.pidfd_);
    status_ = other.status_;
  }
  return *this;
}

ChildProcess::~ChildProcess() { reset(); }

void ChildProcess::reset() {
  if (pid_ > 0 && !status_) (void)kill_and_wait();
  pid_ = -1;
  pidfd_.reset();
}

void ChildProcess::detach() {
  pid_ = -1;
  pidfd_.reset();
}

Result<std::optional<ExitStatus>> ChildProcess::try_wait() {
  if (status_) return status_;
  if (pid_ <= 0) return err(ErrorKind::kInternal, "wait on a detached process");
  siginfo_t info{};
  for (;;) {
    if (::waitid(P_PIDFD, pidfd_.get(), &info, WEXITED | WNOHANG) == 0) break;
    if (errno != EINTR) return errno_error(errno, "waitid");
  }
  if (info.si_pid == 0) return std::optional<ExitStatus>();
  status_ = status_from_siginfo(info);
  return status_;
}

Result<std::optional<ExitStatus>> ChildProcess::wait_for(std::chrono::milliseconds timeout) {
  if (status_) return status_;
  pollfd pfd{pidfd_.get(), POLLIN, 0};
  int ready = MSB_TRY(poll_fds(std::span(&pfd, 1), static_cast<int>(timeout.count())));
  if (ready == 0) return std::optional<ExitStatus>();
  return try_wait();
}

Result<ExitStatus> ChildProcess::wait() {
  if (status_) return *status_;
  if (pid_ <= 0) return err(ErrorKind::kInternal, "wait on a detached process");
  // A blocking waitid, not poll + WNOHANG: under a tracer (strace -f) the pidfd turns
  // readable before the parent may reap, and WNOHANG would then find nothing.
  siginfo_t info{};
  while (::waitid(P_PIDFD, pidfd_.get(), &info, WEXITED) != 0) {
    if (errno != EINTR) return errno_error(errno, "waitid");
  }
  status_ = status_from_siginfo(info);
  return *status_;
}

Result<void> ChildProcess::signal(int sig) {
  if (status_ || pid_ <= 0) return {};
  if (::syscall(SYS_pidfd_send_signal, pidfd_.get(), sig, nullptr, 0) != 0 && errno != ESRCH) {
    return errno_error(errno, "pidfd_send_signal");
  }
  return {};
}

Result<ExitStatus> ChildProcess::kill_and_wait() {
  MSB_TRY(signal(SIGKILL));
  return wait();
}

}  // namespace msb::os
