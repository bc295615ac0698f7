// SECURITY: everything between fork() and execve() in this file runs in the child of a
// multi-purpose PID 1: async-signal-safe calls only, no allocation, no logging. Failures
// are reported as {step, errno} over a CLOEXEC pipe, then the child _exits.
#include "agent/exec_child.h"

#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <cerrno>

#include "os/io.h"

namespace msb::agent {
namespace {

enum Step : int {
  kSetsid,
  kDup2,
  kOpenNull,
  kCloseFds,
  kSetgroups,
  kSetgid,
  kSetuid,
  kChdir,
  kExecve
};

struct ChildReport {
  int step;
  int sys_errno;
};

[[noreturn]] void fail(int report_fd, Step step) {
  ChildReport report{step, errno};
  (void)!::write(report_fd, &report, sizeof report);
  ::_exit(127);
}

// What run_child needs, all prepared before fork: the child only reads it.
struct ChildArgs {
  const char* path;
  char* const* argv;
  char* const* envp;
  const char* cwd;
  const ExecIdentity* identity;  // null: keep the agent's
  int stdin_fd;
  int stdout_fd;
  int stderr_fd;
  int report_fd;
};

// SECURITY: supplementary groups first and the uid last: once the uid is dropped, the
// process can no longer change its groups, and must not keep root's.
void switch_identity(const ExecIdentity& identity, int report_fd) {
  if (::setgroups(identity.groups.size(), identity.groups.data()) != 0) fail(report_fd, kSetgroups);
  if (::setgid(identity.gid) != 0) fail(report_fd, kSetgid);
  if (::setuid(identity.uid) != 0) fail(report_fd, kSetuid);
}

[[noreturn]] void run_child(const ChildArgs& args) {
  int report_fd = args.report_fd;
  int stdin_fd = args.stdin_fd;
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
  if (::dup2(stdin_fd, 0) < 0 || ::dup2(args.stdout_fd, 1) < 0 || ::dup2(args.stderr_fd, 2) < 0) {
    fail(report_fd, kDup2);
  }
  // SECURITY: no other agent fd may reach the process. An inherited host channel (it is
  // not CLOEXEC in channel mode) would let it forge frames; the /dev/null fd above leaks
  // too. The report pipe is CLOEXEC already and stays usable until execve.
  if (::close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) != 0) fail(report_fd, kCloseFds);
  // After the user switch, so that cwd and the executable are checked as that user.
  if (args.identity) switch_identity(*args.identity, report_fd);
  if (args.cwd[0] != '\0' && ::chdir(args.cwd) != 0) fail(report_fd, kChdir);
  ::execve(args.path, args.argv, args.envp);
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

// "setuid 65534" and the like: the step that could not switch to the requested user.
std::string identity_step(const ExecLaunch& launch, int step) {
  if (!launch.identity) return "switch user";
  const ExecIdentity& identity = *launch.identity;
  if (step == kSetgroups)
    return "setgroups (" + std::to_string(identity.groups.size()) + " groups)";
  if (step == kSetgid) return "setgid " + std::to_string(identity.gid);
  return "setuid " + std::to_string(identity.uid);
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
    case kSetgroups:
    case kSetgid:
    case kSetuid:
      return failure("bad-user", report.sys_errno, identity_step(launch, report.step));
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
    run_child({launch.path.c_str(), argv.data(), envp.data(), launch.cwd.c_str(),
               launch.identity ? &*launch.identity : nullptr, in.read ? in.read.get() : -1,
               out->write.get(), error->write.get(), report->write.get()});
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
