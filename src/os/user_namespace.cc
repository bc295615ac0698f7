#include "os/user_namespace.h"

#include <fcntl.h>
#include <linux/sched.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

#include "os/child_process.h"
#include "os/file.h"

namespace msb::os {

Result<Fd> make_user_namespace(const std::string& uid_map, const std::string& gid_map) {
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) return errno_error(errno, "pipe2");
  Fd wait_read(pipe_fds[0]);
  Fd wait_write(pipe_fds[1]);
  int pidfd = -1;
  clone_args args{};
  args.flags = CLONE_NEWUSER | CLONE_PIDFD;
  args.pidfd = reinterpret_cast<uint64_t>(&pidfd);
  args.exit_signal = SIGCHLD;
  long pid = ::syscall(SYS_clone3, &args, sizeof args);
  if (pid < 0) return errno_error(errno, "clone3 a user namespace");
  if (pid == 0) {
    // SECURITY: post-fork: one blocking read (EOF once the parent is done), then exit.
    ::close(pipe_fds[1]);
    char byte;
    (void)!::read(pipe_fds[0], &byte, 1);
    ::_exit(0);
  }
  ChildProcess holder = ChildProcess::adopt(static_cast<pid_t>(pid), Fd(pidfd));
  const std::string proc = "/proc/" + std::to_string(pid);
  Result<Fd> userns = [&]() -> Result<Fd> {
    MSB_TRY(write_file(proc + "/uid_map", uid_map).context("uid_map"));
    MSB_TRY(write_file(proc + "/gid_map", gid_map).context("gid_map"));
    return open_file(proc + "/ns/user", O_RDONLY | O_CLOEXEC);
  }();
  wait_write.reset();  // the child reads EOF and exits
  (void)holder.wait();
  return userns;
}

}  // namespace msb::os
