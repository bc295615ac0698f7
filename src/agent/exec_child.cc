// SECURITY: everything between fork() and execve() in this file runs in the child of a
// multi-purpose PID 1: async-signal-safe calls only, no allocation, no logging. Failures
// are reported as {step, errno, index} over a CLOEXEC pipe, then the child _exits.
#include "agent/exec_child.h"

#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>

#include "os/io.h"
#include "os/pty.h"

namespace msb::agent {
namespace {

enum Step : int {
  kSetsid,
  kSetControllingTty,
  kDup2,
  kOpenNull,
  kCloseFds,
  kSetrlimit,
  kSetgroups,
  kSetgid,
  kSetuid,
  kChdir,
  kExecve
};

struct ChildReport {
  int step;
  int sys_errno;
  int index;  // which resource limit, for kSetrlimit
};

[[noreturn]] void fail(int report_fd, Step step, int index = 0) {
  ChildReport report{step, errno, index};
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
  const ResourceLimit* rlimits;
  size_t rlimit_count;
  int stdin_fd;  // -1: /dev/null
  int stdout_fd;
  int stderr_fd;
  int terminal_fd;  // -1: no controlling terminal
  int report_fd;
};

// SECURITY: supplementary groups first and the uid last: once the uid is dropped, the
// process can no longer change its groups, and must not keep root's.
void switch_identity(const ExecIdentity& identity, int report_fd) {
  if (::setgroups(identity.groups.size(), identity.groups.data()) != 0) fail(report_fd, kSetgroups);
  if (::setgid(identity.gid) != 0) fail(report_fd, kSetgid);
  if (::setuid(identity.uid) != 0) fail(report_fd, kSetuid);
}

// Before the user switch: the agent may raise hard limits, the user could not.
void apply_rlimits(const ChildArgs& args) {
  for (size_t i = 0; i < args.rlimit_count; ++i) {
    const ResourceLimit& limit = args.rlimits[i];
    rlimit value{limit.soft, limit.hard};
    if (::setrlimit(limit.resource, &value) != 0) {
      fail(args.report_fd, kSetrlimit, static_cast<int>(i));
    }
  }
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
  // The new session leader takes the terminal as its controlling tty; its process group
  // becomes the foreground group (SIGWINCH on resize, ^C, hangup when it exits).
  if (args.terminal_fd >= 0 && ::ioctl(args.terminal_fd, TIOCSCTTY, 0) != 0) {
    fail(report_fd, kSetControllingTty);
  }
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
  apply_rlimits(args);
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

// An os:: error (its message names the call and the errno already).
tl::unexpected<protocol::ExecFailed> sys_failure(std::string kind, const Error& e,
                                                 std::string_view what) {
  return tl::unexpected(
      protocol::ExecFailed{std::move(kind), e.sys_errno, std::string(what) + ": " + e.message});
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

std::string rlimit_step(const ExecLaunch& launch, int index) {
  if (index < 0 || static_cast<size_t>(index) >= launch.rlimits.size()) return "setrlimit";
  return "setrlimit " + launch.rlimits[static_cast<size_t>(index)].spec;
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
    case kSetrlimit:
      return failure("resource-limit", report.sys_errno, rlimit_step(launch, report.index));
    case kSetControllingTty:
      return failure("pty-setup", report.sys_errno, "make the terminal the controlling tty");
    default:
      return failure("other", report.sys_errno, "prepare process for " + launch.path);
  }
}

// The process's standard streams: what the child puts on 0, 1 and 2, and our ends.
struct Stdio {
  os::Fd child_in;   // invalid: /dev/null (or the terminal)
  os::Fd child_out;  // with a terminal: the slave, used for 0, 1 and 2
  os::Fd child_err;  // invalid with a terminal
  bool terminal = false;
  ExecProcess ends;  // pid unset
};

tl::expected<Stdio, protocol::ExecFailed> pipe_stdio(bool stdin_pipe) {
  Stdio stdio;
  Result<os::PipePair> out = os::make_pipe();
  if (!out) return sys_failure("other", out.error(), "stdout pipe");
  Result<os::PipePair> error = os::make_pipe();
  if (!error) return sys_failure("other", error.error(), "stderr pipe");
  stdio.child_out = std::move(out->write);
  stdio.child_err = std::move(error->write);
  stdio.ends.stdout_read = std::move(out->read);
  stdio.ends.stderr_read = std::move(error->read);
  if (stdin_pipe) {
    Result<os::PipePair> in = os::make_pipe();
    if (!in) return sys_failure("other", in.error(), "stdin pipe");
    stdio.child_in = std::move(in->read);
    stdio.ends.stdin_write = std::move(in->write);
  }
  // Our ends only: each end of a pipe is its own open file, so the child's stay blocking.
  for (os::Fd* fd : {&stdio.ends.stdout_read, &stdio.ends.stderr_read, &stdio.ends.stdin_write}) {
    if (fd->valid()) (void)os::set_nonblocking(fd->get(), true);
  }
  return stdio;
}

tl::expected<Stdio, protocol::ExecFailed> terminal_stdio(const ExecTerminal& terminal) {
  Result<os::Pty> pty = os::open_pty(terminal.rows, terminal.cols);
  if (!pty) return sys_failure("pty-setup", pty.error(), "open terminal");
  // The master's O_NONBLOCK is shared by its copies; the slave is a separate open file.
  if (Result<void> r = os::set_nonblocking(pty->master.get(), true); !r) {
    return sys_failure("pty-setup", r.error(), "open terminal");
  }
  Result<os::Fd> reader = os::duplicate_fd(pty->master.get());
  if (!reader) return sys_failure("pty-setup", reader.error(), "open terminal");
  Result<os::Fd> writer = os::duplicate_fd(pty->master.get());
  if (!writer) return sys_failure("pty-setup", writer.error(), "open terminal");
  Stdio stdio;
  stdio.terminal = true;
  stdio.child_out = std::move(pty->slave);
  stdio.ends.stdout_read = std::move(*reader);
  stdio.ends.stdin_write = std::move(*writer);
  stdio.ends.terminal = std::move(pty->master);
  return stdio;
}

ChildArgs child_args(const ExecLaunch& launch, const Stdio& stdio, char* const* argv,
                     char* const* envp, int report_fd) {
  int out = stdio.child_out.get();
  return ChildArgs{launch.path.c_str(),
                   argv,
                   envp,
                   launch.cwd.c_str(),
                   launch.identity ? &*launch.identity : nullptr,
                   launch.rlimits.data(),
                   launch.rlimits.size(),
                   stdio.terminal ? out : (stdio.child_in ? stdio.child_in.get() : -1),
                   out,
                   stdio.terminal ? out : stdio.child_err.get(),
                   stdio.terminal ? out : -1,
                   report_fd};
}

}  // namespace

tl::expected<ExecProcess, protocol::ExecFailed> start_exec_process(const ExecLaunch& launch) {
  tl::expected<Stdio, protocol::ExecFailed> stdio =
      launch.terminal ? terminal_stdio(*launch.terminal) : pipe_stdio(launch.stdin_pipe);
  if (!stdio) return tl::unexpected(stdio.error());
  Result<os::PipePair> report = os::make_pipe();
  if (!report) return sys_failure("other", report.error(), "report pipe");
  std::vector<char*> argv = c_strings(launch.argv);
  std::vector<char*> envp = c_strings(launch.env);
  ChildArgs args = child_args(launch, *stdio, argv.data(), envp.data(), report->write.get());

  pid_t pid = ::fork();
  if (pid < 0) return tl::unexpected(failure("other", errno, "fork"));
  if (pid == 0) run_child(args);
  // The child's ends must close here: a terminal reports EIO and a pipe end of file only
  // once no process holds the other side.
  report->write.reset();
  stdio->child_in.reset();
  stdio->child_out.reset();
  stdio->child_err.reset();
  ChildReport child_report{};
  Result<size_t> got = os::read_some(
      report->read.get(), std::span(reinterpret_cast<char*>(&child_report), sizeof child_report));
  if (got && *got == sizeof child_report) {
    // The child has _exited; PID 1's reaper collects it (it is not a session yet).
    return tl::unexpected(child_failure(launch, child_report));
  }
  ExecProcess process = std::move(stdio->ends);
  process.pid = pid;
  return process;
}

}  // namespace msb::agent
