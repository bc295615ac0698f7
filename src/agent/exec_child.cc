// SECURITY: everything between fork() and execve() in this file runs in the child of a
// multi-purpose PID 1: async-signal-safe calls only, no allocation, no logging. Failures
// are reported as {step, errno} over a CLOEXEC pipe, then the child _exits.
#include "agent/exec_child.h"

#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <cerrno>

#include "os/io.h"

namespace msb::agent {
namespace {

enum Step : int { kSetsid, kDup2, kOpenNull, kCloseFds, kChdir, kExecve };

struct ChildReport {
  int step;
  int sys_errno;
};

[[noreturn]] void fail(int report_fd, Step step) {
  ChildReport report{step, errno};
  (void)!::write(report_fd, &report, sizeof report);
  ::_exit(127);
}

[[noreturn]] void run_child(const char* path, char* const* argv, char* const* envp, const char* cwd,
                            int stdin_fd, int stdout_fd, int stderr_fd, int report_fd) {
  sigset_t empty;
  sigemptyset(&empty);
  ::sigprocmask(SIG_SETMASK, &empty, nullptr);
  for (int sig = 1; sig < NSIG; ++sig) ::signal(sig, SIG_DFL);
  // Own session and process group: signals and timeouts reach the whole tree.
  if (::setsid() < 0) fail(report_fd, kSetsid);
  if (stdin_fd < 0) {
    stdin_fd = ::open("/dev/null", O_RDONLY);
    if (stdin_fd < 0) fail(report_fd, kOpenNull);
  }
  if (::dup2(stdin_fd, 0) < 0 || ::dup2(stdout_fd, 1) < 0 || ::dup2(stderr_fd, 2) < 0) {
    fail(report_fd, kDup2);
  }
  // SECURITY: no other agent fd may reach the process. An inherited host channel (it is
  // not CLOEXEC in channel mode) would let it forge frames; the /dev/null fd above leaks
  // too. The report pipe is CLOEXEC already and stays usable until execve.
  if (::close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) != 0) fail(report_fd, kCloseFds);
  if (cwd[0] != '\0' && ::chdir(cwd) != 0) fail(report_fd, kChdir);
  ::execve(path, argv, envp);
  fail(report_fd, kExecve);
}

std::vector<char*> c_strings(const std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (const std::string& s : strings) out.push_back(const_cast<char*>(s.c_str()));
  out.push_back(nullptr);
  return out;
}

protocol::ExecFailed failure(std::string kind, int sys_errno, std::string message) {
  return protocol::ExecFailed{
      std::move(kind), sys_errno,
      message + (sys_errno ? std::string(": ") + ::strerror(sys_errno) : "")};
}

protocol::ExecFailed child_failure(const ExecLaunch& launch, ChildReport report) {
  switch (report.step) {
    case kChdir:
      return failure("bad-cwd", report.sys_errno, "cannot enter working directory " + launch.cwd);
    case kExecve:
      if (report.sys_errno == ENOENT)
        return failure("not-found", report.sys_errno, "exec " + launch.path);
      if (report.sys_errno == EACCES)
        return failure("permission-denied", report.sys_errno, "exec " + launch.path);
      if (report.sys_errno == ENOEXEC)
        return failure("not-executable", report.sys_errno, "exec " + launch.path);
      return failure("other", report.sys_errno, "exec " + launch.path);
    default:
      return failure("other", report.sys_errno, "prepare process for " + launch.path);
  }
}

}  // namespace

tl::expected<ExecProcess, protocol::ExecFailed> start_exec_process(const ExecLaunch& launch) {
  auto sys_failure = [](const Error& e) {
    return tl::unexpected(failure("other", e.sys_errno, e.message));
  };
  Result<os::PipePair> out = os::make_pipe();
  Result<os::PipePair> error = os::make_pipe();
  Result<os::PipePair> report = os::make_pipe();
  if (!out) return sys_failure(out.error());
  if (!error) return sys_failure(error.error());
  if (!report) return sys_failure(report.error());
  os::PipePair in;
  if (launch.stdin_pipe) {
    Result<os::PipePair> made = os::make_pipe();
    if (!made) return sys_failure(made.error());
    in = std::move(*made);
  }
  std::vector<char*> argv = c_strings(launch.argv);
  std::vector<char*> envp = c_strings(launch.env);

  pid_t pid = ::fork();
  if (pid < 0) return tl::unexpected(failure("other", errno, "fork"));
  if (pid == 0) {
    run_child(launch.path.c_str(), argv.data(), envp.data(), launch.cwd.c_str(),
              in.read ? in.read.get() : -1, out->write.get(), error->write.get(),
              report->write.get());
  }
  report->write.reset();
  ChildReport child_report{};
  Result<size_t> got = os::read_some(
      report->read.get(), std::span(reinterpret_cast<char*>(&child_report), sizeof child_report));
  if (got && *got == sizeof child_report) {
    // The child has _exited; PID 1's reaper collects it (it is not a session yet).
    return tl::unexpected(child_failure(launch, child_report));
  }
  ExecProcess process;
  process.pid = pid;
  process.stdin_write = std::move(in.write);
  process.stdout_read = std::move(out->read);
  process.stderr_read = std::move(error->read);
  (void)os::set_nonblocking(process.stdout_read.get(), true);
  (void)os::set_nonblocking(process.stderr_read.get(), true);
  if (process.stdin_write) (void)os::set_nonblocking(process.stdin_write.get(), true);
  return process;
}

}  // namespace msb::agent
