// SECURITY: this file is the namespace sandbox's jail. Everything after clone3 in the child
// runs on a copy of the parent's memory: syscalls only, no allocation, no locks, no logging.
#include "engine/ns/child.h"

#include <fcntl.h>
#include <grp.h>
#include <linux/openat2.h>
#include <linux/sched.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "engine/child_launch.h"

namespace msb::engine::ns {
namespace {

enum Step {
  kWaitGo,
  kSetGroups,
  kSetGid,
  kSetUid,
  kMakePrivate,
  kAttachRoot,
  kMountStep,
  kHostname,
  kCgroupNs,
  kPivotRoot,
  kDropCapabilities,
  kDup2,
  kCloseRange,
  kNoNewPrivs,
  kSeccomp,
  kExecAgent,
  kStepCount
};
constexpr const char* kStepNames[kStepCount] = {
    "wait for the parent", "setgroups", "setresgid",   "setresuid",        "make mounts private",
    "attach the root",     "mount",     "sethostname", "cgroup namespace", "pivot_root",
    "drop capabilities",   "dup2",      "close_range", "no_new_privs",     "seccomp",
    "exec msb-agentd"};

[[noreturn]] void fail(int control_fd, Step step, int mount_index = -1) {
  ChildFailure failure{step, errno, mount_index};
  (void)!::write(control_fd, &failure, sizeof failure);
  ::_exit(127);
}

// The go byte carries the root mount (an fd made by the parent with the new mount API).
int receive_root_mount(int control_fd) {
  char byte = 0;
  iovec io{&byte, 1};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))];
  msghdr message{};
  message.msg_iov = &io;
  message.msg_iovlen = 1;
  message.msg_control = control;
  message.msg_controllen = sizeof control;
  ssize_t got;
  do {
    got = ::recvmsg(control_fd, &message, MSG_CMSG_CLOEXEC);
  } while (got < 0 && errno == EINTR);
  if (got <= 0) ::_exit(127);  // the parent gave up (or died): nothing to report to
  cmsghdr* header = CMSG_FIRSTHDR(&message);
  if (header == nullptr || header->cmsg_type != SCM_RIGHTS) {
    errno = EPROTO;
    return -1;
  }
  int fd;
  std::memcpy(&fd, CMSG_DATA(header), sizeof fd);
  return fd;
}

// SECURITY: every lookup is RESOLVE_IN_ROOT under the sandbox's root, so neither "..", an
// absolute symlink nor a magic link in the image can resolve to a host path.
int open_in_root(int root, const char* path, int flags) {
  open_how how{};
  how.flags = static_cast<uint64_t>(flags | O_CLOEXEC);
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
  return static_cast<int>(::syscall(SYS_openat2, root, path, &how, sizeof how));
}

// Opens prefix `i` of the step's target (O_PATH), making it when it does not exist yet
// (under `parent`, the previous prefix or the root).
int open_or_make(int root, int parent, const MountStep& step, size_t i) {
  const bool is_target = i + 1 == step.prefixes.size();
  const bool want_file = is_target && step.file_target;
  const int flags = O_PATH | (want_file ? 0 : O_DIRECTORY);
  int fd = open_in_root(root, step.prefixes[i].c_str(), flags);
  if (fd >= 0 || errno != ENOENT) return fd;
  const char* name = step.names[i].c_str();
  if (want_file) {
    int made = ::openat(parent, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (made < 0 && errno != EEXIST) return -1;
    if (made >= 0) ::close(made);
  } else if (::mkdirat(parent, name, 0755) != 0 && errno != EEXIST) {
    return -1;
  }
  return open_in_root(root, step.prefixes[i].c_str(), flags);
}

bool attach_volume(const MountStep& step) {
  int root = ::openat(AT_FDCWD, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (root < 0) return false;
  int parent = root;
  bool attached = false;
  for (size_t i = 0; i < step.prefixes.size(); ++i) {
    int next = open_or_make(root, parent, step, i);
    int saved = errno;
    if (parent != root) ::close(parent);
    errno = saved;
    parent = next;
    if (parent < 0) break;
  }
  if (parent >= 0) {
    attached = ::move_mount(step.tree_fd, "", parent, "",
                            MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) == 0;
    int saved = errno;
    if (parent != root) ::close(parent);
    errno = saved;
  }
  int saved = errno;
  ::close(root);
  errno = saved;
  return attached;
}

bool apply(const MountStep& step) {
  const char* target = step.target.c_str();
  switch (step.kind) {
    case MountStep::Kind::kMount:
      return ::mount(step.source.c_str(), target, step.fstype.c_str(), step.flags,
                     step.data.empty() ? nullptr : step.data.c_str()) == 0;
    case MountStep::Kind::kBindFile: {
      int fd = ::open(target, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0666);
      if (fd < 0) return false;
      ::close(fd);
      return ::mount(step.source.c_str(), target, nullptr, MS_BIND, nullptr) == 0;
    }
    case MountStep::Kind::kBindReadOnly:
      if (::mount(target, target, nullptr, MS_BIND | MS_REC, nullptr) != 0) return false;
      return ::mount(nullptr, target, nullptr, MS_REMOUNT | MS_BIND | MS_RDONLY | step.flags,
                     nullptr) == 0;
    case MountStep::Kind::kMaskFile:
      return ::mount("/dev/null", target, nullptr, MS_BIND, nullptr) == 0;
    case MountStep::Kind::kMakeDir:
      return ::mkdir(target, step.mode) == 0 || errno == EEXIST;
    case MountStep::Kind::kSymlink:
      if (::unlink(target) != 0 && errno != ENOENT) return false;
      return ::symlink(step.source.c_str(), target) == 0;
    case MountStep::Kind::kAttachVolume:
      return attach_volume(step);
  }
  errno = EINVAL;
  return false;
}

[[noreturn]] void run_child(const ChildPlan& plan) {
  int control = plan.control_fd;
  sigset_t empty;
  sigemptyset(&empty);
  ::sigprocmask(SIG_SETMASK, &empty, nullptr);
  // The sandbox must never outlive its supervisor.
  if (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) fail(control, kWaitGo);
  int root_mount = receive_root_mount(control);
  if (root_mount < 0) fail(control, kWaitGo);
  // Nothing we mount may propagate back to the host.
  if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0)
    fail(control, kMakePrivate);
  if (::move_mount(root_mount, "", AT_FDCWD, plan.mount_point.c_str(), MOVE_MOUNT_F_EMPTY_PATH) !=
          0 ||
      ::fchdir(root_mount) != 0)
    fail(control, kAttachRoot);
  ::close(root_mount);
  // From here on we are root of the sandbox's user namespace, which the parent mapped to an
  // unprivileged host id range; the host's root and its groups are gone for good.
  if (::setgroups(0, nullptr) != 0) fail(control, kSetGroups);
  if (::setresgid(0, 0, 0) != 0) fail(control, kSetGid);
  if (::setresuid(0, 0, 0) != 0) fail(control, kSetUid);
  // The working directory is now the new root: every step below is relative to it. proc
  // and sysfs are mounted while the host's are still visible: the kernel allows a new one
  // in a user namespace only if an unobstructed one is already visible.
  for (size_t i = 0; i < plan.mounts.size(); ++i) {
    const MountStep& step = plan.mounts[i];
    if (!apply(step) && !(step.optional && errno == ENOENT))
      fail(control, kMountStep, static_cast<int>(i));
  }
  if (!plan.hostname.empty() && ::sethostname(plan.hostname.data(), plan.hostname.size()) != 0)
    fail(control, kHostname);
  // We were born in the sandbox's cgroup (v2) or the parent has moved us there before
  // sending the root: that becomes our cgroup root.
  if (::unshare(CLONE_NEWCGROUP) != 0) fail(control, kCgroupNs);
  if (::syscall(SYS_pivot_root, ".", ".") != 0 || ::umount2(".", MNT_DETACH) != 0 ||
      ::chdir("/") != 0)
    fail(control, kPivotRoot);
  for (int cap : plan.dropped_capabilities) {
    if (::prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 && errno != EINVAL)
      fail(control, kDropCapabilities);
  }
  if (::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0)
    fail(control, kDropCapabilities);
  if (::dup2(plan.null_fd, 0) < 0 || ::dup2(plan.console_fd, 1) < 0 ||
      ::dup2(plan.console_fd, 2) < 0 || ::dup2(plan.agent_fd, 3) < 0)
    fail(control, kDup2);
  // Only 0-3 reach the agent; the control socket closes on exec, which tells the parent.
  if (::close_range(4, ~0U, CLOSE_RANGE_CLOEXEC) != 0) fail(control, kCloseRange);
  if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) fail(control, kNoNewPrivs);
  if (!plan.seccomp.empty()) {
    sock_fprog program{static_cast<unsigned short>(plan.seccomp.size()),
                       const_cast<sock_filter*>(plan.seccomp.data())};
    if (::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &program) != 0) fail(control, kSeccomp);
  }
  ::syscall(SYS_execveat, plan.agent_exe_fd, "", plan.argv_ptrs.data(), plan.env_ptrs.data(),
            AT_EMPTY_PATH);
  fail(control, kExecAgent);
}

}  // namespace

void ChildPlan::finalize() {
  argv_ptrs = exec_pointers(argv);
  env_ptrs = exec_pointers(env);
}

std::string child_step_name(int step) {
  if (step < 0 || step >= kStepCount) return "step " + std::to_string(step);
  return kStepNames[step];
}

Result<ClonedChild> clone_sandbox_child(const ChildPlan& plan, int cgroup_fd) {
  int pidfd = -1;
  clone_args args{};
  args.flags = CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWUTS |
               CLONE_NEWIPC | CLONE_PIDFD;
  args.pidfd = reinterpret_cast<uint64_t>(&pidfd);
  args.exit_signal = SIGCHLD;
  bool into_cgroup = cgroup_fd >= 0;
  if (into_cgroup) {
    args.flags |= CLONE_INTO_CGROUP;
    args.cgroup = static_cast<uint64_t>(cgroup_fd);
  }
  long pid = ::syscall(SYS_clone3, &args, sizeof args);
  // Kernels before 5.7 refuse the flag (EINVAL) or the larger clone_args (E2BIG).
  if (pid < 0 && into_cgroup && (errno == EINVAL || errno == E2BIG)) {
    into_cgroup = false;
    args.flags &= ~static_cast<uint64_t>(CLONE_INTO_CGROUP);
    args.cgroup = 0;
    pid = ::syscall(SYS_clone3, &args, sizeof args);
  }
  if (pid < 0) {
    int saved = errno;
    ErrorKind kind =
        saved == EPERM || saved == EACCES ? ErrorKind::kPermissionDenied : ErrorKind::kIo;
    return tl::unexpected(
        Error{kind, saved, std::string("clone3 into new namespaces: ") + std::strerror(saved)});
  }
  if (pid == 0) run_child(plan);
  return ClonedChild{static_cast<pid_t>(pid), os::Fd(pidfd), into_cgroup};
}

}  // namespace msb::engine::ns
