// Process-wide system calls used by init-like code (the agent as PID 1).
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>

#include "common/error.h"

namespace msb::os {

struct ReapedChild {
  pid_t pid;
  int code;    // exit code if exited
  int signal;  // terminating signal, else 0
};
struct ReapResult {
  std::optional<ReapedChild> child;  // a child that exited, if any
  bool no_children = false;          // ECHILD: no child is left at all
};
// waitpid(-1, WNOHANG): one exited child (any, orphans included).
Result<ReapResult> reap_any_child();

Result<void> kill_process(pid_t pid, int signal);
// kill(-1, sig): every process but ourselves and init (kernel threads ignore it).
Result<void> signal_all_processes(int signal);
// PR_SET_CHILD_SUBREAPER: orphaned descendants are re-parented to us (and reaped by us).
Result<void> become_child_subreaper();
Result<void> change_root(const std::string& path);  // chdir + chroot + chdir("/")
Result<void> change_dir(const std::string& path);
Result<void> change_dir(int dir_fd);  // fchdir
// dup2(from, to): `to` now refers to what `from` does.
Result<void> duplicate_fd(int from, int to);
// signal(sig, SIG_IGN), e.g. SIGPIPE so that a gone peer is an EPIPE error instead.
void ignore_signal(int signal);
bool is_pid1();
// Effective uid 0 (in our user namespace).
bool running_as_root();
int current_pid();
// When process `pid` started (clock ticks since boot, /proc/<pid>/stat field 22), or
// nullopt when there is no such process. Together with the pid it names one process.
std::optional<uint64_t> process_start_time(int pid);
[[noreturn]] void exit_now(int code);  // _exit
// fork(2) where the parent exits at once (status 0) and the child goes on: the caller
// continues as an orphan that its starter reaps no more. REQUIRES: single-threaded.
Result<void> fork_into_background();
Result<void> set_hostname(const std::string& name);
// prlimit(pid, RLIMIT_NOFILE): sets process `pid`'s soft and hard limit on open files. A
// privileged parent uses it on a child in a user namespace, which cannot raise its own hard
// limit (that takes CAP_SYS_RESOURCE in the initial namespace). Errors: kIo, kPermissionDenied.
Result<void> set_open_file_limit(pid_t pid, uint64_t limit);
// This process's hard RLIMIT_NOFILE: what set_open_file_limit() may give without
// CAP_SYS_RESOURCE.
uint64_t hard_open_file_limit();
Result<void> make_dir(const std::string& path, int mode);  // EEXIST is success
Result<void> make_symlink(const std::string& target, const std::string& link);
std::string kernel_release();
void sync_filesystems();
// reboot(2): RB_AUTOBOOT makes QEMU (-no-reboot) exit. Returns only on failure.
Result<void> reboot_system(int command);

}  // namespace msb::os
