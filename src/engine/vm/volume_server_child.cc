// SECURITY: this file builds what a volume server (virtiofsd) can reach on the host.
// Everything after clone3 in the child runs on a copy of the parent's memory: syscalls only,
// no allocation, no locks, no logging.
#include "engine/vm/volume_server_child.h"

#include <fcntl.h>
#include <grp.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "engine/child_launch.h"

namespace msb::engine::vm {
namespace {

enum Step {
  kWaitGo,
  kMakePrivate,
  kSetGroups,
  kSetGid,
  kSetUid,
  kStagingTmpfs,
  kStagedEntry,
  kAttachSource,
  kRestrict,
  kDup2,
  kCloseRange,
  kExec,
  kStepCount
};
constexpr const char* kStepNames[kStepCount] = {"wait for the parent",
                                                "make mounts private",
                                                "setgroups",
                                                "setresgid",
                                                "setresuid",
                                                "mount the staging tmpfs",
                                                "create the volume's entry",
                                                "attach the source",
                                                "make the share nosuid, nodev (and read-only)",
                                                "dup2",
                                                "close_range",
                                                "exec virtiofsd"};

[[noreturn]] void fail(int control_fd, Step step, size_t entry = ~size_t{0}) {
  VolumeServerFailure failure{step, errno, entry == ~size_t{0} ? -1 : static_cast<int32_t>(entry)};
  (void)!::write(control_fd, &failure, sizeof failure);
  ::_exit(127);
}

void wait_for_go(int control_fd) {
  char byte = 0;
  ssize_t got;
  do {
    got = ::read(control_fd, &byte, 1);
  } while (got < 0 && errno == EINTR);
  if (got <= 0) ::_exit(127);  // the parent gave up (or died): nothing to report to
}

// Attaches each source (a detached copy of its mount) on its entry of a fresh small tmpfs: a
// directory, or for one file a file, so that none of the file's siblings is ever visible to
// the server.
void attach_share(const VolumeServerPlan& plan) {
  int control = plan.control_fd;
  // uid=0,gid=0: the namespace's root, i.e. the volumes' owner (the maps are written).
  if (::mount("tmpfs", kVolumeStagingDir, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
              plan.tmpfs_options.c_str()) != 0)
    fail(control, kStagingTmpfs);
  for (size_t i = 0; i < plan.entries.size(); ++i) {
    const ShareEntry& entry = plan.entries[i];
    const char* path = entry.path.c_str();
    if (entry.file) {
      int fd = ::open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
      if (fd < 0) fail(control, kStagedEntry, i);
      ::close(fd);
    } else if (::mkdir(path, 0755) != 0) {
      fail(control, kStagedEntry, i);
    }
    if (::move_mount(entry.mount_fd, "", AT_FDCWD, path, MOVE_MOUNT_F_EMPTY_PATH) != 0)
      fail(control, kAttachSource, i);
  }
  // SECURITY: whatever the guest asks for, the server never follows a set-id bit or opens a
  // device node of the host's through this tree.
  mount_attr attr{};
  attr.attr_set = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV;
  if (::mount_setattr(AT_FDCWD, kVolumeStagingDir, AT_RECURSIVE, &attr, sizeof attr) != 0)
    fail(control, kRestrict);
  // The tmpfs itself (not the volumes on it) is read-only: nothing to write there.
  mount_attr sealed{};
  sealed.attr_set = MOUNT_ATTR_RDONLY;
  if (::mount_setattr(AT_FDCWD, kVolumeStagingDir, 0, &sealed, sizeof sealed) != 0)
    fail(control, kRestrict);
}

[[noreturn]] void run_child(const VolumeServerPlan& plan) {
  int control = plan.control_fd;
  sigset_t empty;
  sigemptyset(&empty);
  ::sigprocmask(SIG_SETMASK, &empty, nullptr);
  wait_for_go(control);
  // Nothing we mount may propagate back to the host.
  if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0)
    fail(control, kMakePrivate);
  // From here on we are the namespace's root: the volumes' owner on the host, with no
  // supplementary groups of the host's root left.
  if (::setgroups(0, nullptr) != 0) fail(control, kSetGroups);
  if (::setresgid(0, 0, 0) != 0) fail(control, kSetGid);
  if (::setresuid(0, 0, 0) != 0) fail(control, kSetUid);
  // The server must never outlive its supervisor. Set only now: a change of our ids clears
  // it. virtiofsd's own sandbox child gets SIGTERM when we die (it asks for that itself).
  if (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) fail(control, kSetUid);
  if (::getppid() != plan.parent_pid) ::_exit(127);  // it is gone already
  attach_share(plan);
  if (::dup2(plan.null_fd, 0) < 0 || ::dup2(plan.log_fd, 1) < 0 || ::dup2(plan.log_fd, 2) < 0 ||
      ::dup2(plan.listen_fd, kVolumeSocketFdInChild) < 0)
    fail(control, kDup2);
  // Only 0-3 reach virtiofsd; the control socket closes on exec, which tells the parent.
  if (::close_range(kVolumeSocketFdInChild + 1, ~0U, CLOSE_RANGE_CLOEXEC) != 0)
    fail(control, kCloseRange);
  ::execve(plan.executable.c_str(), plan.argv_ptrs.data(), plan.env_ptrs.data());
  fail(control, kExec);
}

}  // namespace

void VolumeServerPlan::finalize() {
  argv_ptrs = exec_pointers(argv);
  env_ptrs = exec_pointers(env);
}

std::string volume_server_step_name(int step) {
  if (step < 0 || step >= kStepCount) return "step " + std::to_string(step);
  return kStepNames[step];
}

Result<ClonedVolumeServer> clone_volume_server(const VolumeServerPlan& plan) {
  int pidfd = -1;
  clone_args args{};
  args.flags = CLONE_NEWUSER | CLONE_NEWNS | CLONE_PIDFD;
  args.pidfd = reinterpret_cast<uint64_t>(&pidfd);
  args.exit_signal = SIGCHLD;
  long pid = ::syscall(SYS_clone3, &args, sizeof args);
  if (pid < 0) {
    int saved = errno;
    ErrorKind kind =
        saved == EPERM || saved == EACCES ? ErrorKind::kPermissionDenied : ErrorKind::kIo;
    return tl::unexpected(
        Error{kind, saved, std::string("clone3 for the volume server: ") + std::strerror(saved)});
  }
  if (pid == 0) run_child(plan);
  return ClonedVolumeServer{static_cast<pid_t>(pid), os::Fd(pidfd)};
}

}  // namespace msb::engine::vm
