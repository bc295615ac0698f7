#include "os/system.h"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/reboot.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

#include "os/file.h"
#include "os/process_stat.h"

namespace msb::os {

Result<ReapResult> reap_any_child() {
  for (;;) {
    int status = 0;
    pid_t pid = ::waitpid(-1, &status, WNOHANG);
    if (pid == 0) return ReapResult{};
    if (pid < 0 && errno == ECHILD) return ReapResult{std::nullopt, true};
    if (pid < 0) {
      if (errno == EINTR) continue;
      return errno_error(errno, "waitpid");
    }
    if (WIFEXITED(status)) return ReapResult{ReapedChild{pid, WEXITSTATUS(status), 0}, false};
    if (WIFSIGNALED(status)) return ReapResult{ReapedChild{pid, 0, WTERMSIG(status)}, false};
  }
}

Result<void> set_open_file_limit(pid_t pid, uint64_t limit) {
  rlimit64 value{limit, limit};
  if (::prlimit64(pid, RLIMIT_NOFILE, &value, nullptr) != 0) return errno_error(errno, "prlimit");
  return {};
}

uint64_t hard_open_file_limit() {
  rlimit64 value{};
  if (::getrlimit64(RLIMIT_NOFILE, &value) != 0) return 1024;
  return value.rlim_max;
}

Result<void> kill_process(pid_t pid, int signal) {
  if (::kill(pid, signal) != 0 && errno != ESRCH) return errno_error(errno, "kill");
  return {};
}

Result<void> signal_all_processes(int signal) {
  if (::kill(-1, signal) != 0 && errno != ESRCH) return errno_error(errno, "kill(-1)");
  return {};
}

Result<void> become_child_subreaper() {
  if (::prctl(PR_SET_CHILD_SUBREAPER, 1) != 0)
    return errno_error(errno, "prctl(PR_SET_CHILD_SUBREAPER)");
  return {};
}

Result<void> change_root(const std::string& path) {
  if (::chdir(path.c_str()) != 0) return errno_error(errno, "chdir " + path);
  if (::chroot(".") != 0) return errno_error(errno, "chroot " + path);
  if (::chdir("/") != 0) return errno_error(errno, "chdir /");
  return {};
}

Result<void> change_dir(const std::string& path) {
  if (::chdir(path.c_str()) != 0) return errno_error(errno, "chdir " + path);
  return {};
}

Result<void> change_dir(int dir_fd) {
  if (::fchdir(dir_fd) != 0) return errno_error(errno, "fchdir");
  return {};
}

Result<void> duplicate_fd(int from, int to) {
  if (::dup2(from, to) < 0) return errno_error(errno, "dup2");
  return {};
}

void ignore_signal(int signal) { ::signal(signal, SIG_IGN); }

bool is_pid1() { return ::getpid() == 1; }

bool running_as_root() { return ::geteuid() == 0; }

int current_pid() { return ::getpid(); }

std::optional<uint64_t> process_start_time(int pid) {
  std::optional<ProcessStat> stat = ProcessStat::read(pid);
  if (!stat) return std::nullopt;
  return stat->start_time;
}

void exit_now(int code) { ::_exit(code); }

Result<void> set_hostname(const std::string& name) {
  if (::sethostname(name.data(), name.size()) != 0) return errno_error(errno, "sethostname");
  return {};
}

Result<void> make_dir(const std::string& path, int mode) {
  if (::mkdir(path.c_str(), static_cast<mode_t>(mode)) != 0 && errno != EEXIST) {
    return errno_error(errno, "mkdir " + path);
  }
  return {};
}

Result<void> make_symlink(const std::string& target, const std::string& link) {
  if (::symlink(target.c_str(), link.c_str()) != 0 && errno != EEXIST) {
    return errno_error(errno, "symlink " + link);
  }
  return {};
}

std::string kernel_release() {
  utsname name{};
  if (::uname(&name) != 0) return "";
  return name.release;
}

void sync_filesystems() { ::sync(); }

Result<void> reboot_system(int command) {
  ::reboot(command);
  return errno_error(errno, "reboot");
}

Result<void> fork_into_background() {
  pid_t pid = ::fork();
  if (pid < 0) return errno_error(errno, "fork");
  if (pid > 0) ::_exit(0);
  return {};
}

}  // namespace msb::os
