// The namespace sandbox's first process, between clone and the exec of msb-agentd. Everything
// it needs is prepared by the parent in a ChildPlan before the clone: the child only makes
// syscalls (no allocation, no logging), reports a failed step as {step, errno} over the
// control socket and exits 127. Reviewed as security code: see docs/design/namespace-engine.md.
#pragma once

#include <linux/filter.h>
#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "common/error.h"
#include "engine/child_launch.h"
#include "os/fd.h"

namespace msb::engine::ns {

// One filesystem step inside the future root, applied in order before pivot_root.
struct MountStep {
  enum class Kind {
    kMount,         // mount(source, target, fstype, flags, data)
    kBindFile,      // create an empty file at target, then bind-mount source onto it
    kBindReadOnly,  // bind-mount target onto itself, then remount it read-only
    kMaskFile,      // bind /dev/null over target when it exists (hides it)
    kMakeDir,       // mkdir(target, mode); an existing directory is fine
    kSymlink,       // symlink(source, target); an existing link is replaced
    // Attach the detached mount `tree_fd` at the absolute `target`, resolved inside the
    // new root (RESOLVE_IN_ROOT: the image's symlinks cannot lead out of it); missing
    // directories on the way are made (0755) and a missing file target (file_target) is
    // created empty. `prefixes` are target's ancestors and itself ("/a", "/a/b"), `names`
    // their last components ("a", "b"): built by the parent, as the child cannot allocate.
    kAttachVolume,
  } kind;
  std::string source;
  std::string target;  // relative to the new root ("proc", "dev/pts")
  std::string fstype;
  unsigned long flags = 0;
  std::string data;
  uint32_t mode = 0755;
  bool optional = false;  // a missing target (ENOENT) is skipped, not fatal
  int tree_fd = -1;       // kAttachVolume
  bool file_target = false;
  std::vector<std::string> prefixes;
  std::vector<std::string> names;
};

struct ChildPlan {
  // Descriptors in the parent, all CLOEXEC and numbered above kFirstFreeFd.
  int control_fd = -1;    // the child's end: receives the go byte + root mount fd, reports failures
  int agent_fd = -1;      // becomes fd 3: the agent channel
  int console_fd = -1;    // becomes fds 1 and 2
  int null_fd = -1;       // becomes fd 0
  int agent_exe_fd = -1;  // msb-agentd, executed with execveat
  // The empty directory the root mount is attached to. The child resolves it in its own
  // mount namespace (an fd from the parent would name the host's mount) before it gives up
  // the host's root (the run directory is 0700 root).
  std::string mount_point;
  std::vector<MountStep> mounts;
  std::string hostname;
  std::vector<int> dropped_capabilities;  // removed from the bounding set
  std::vector<sock_filter> seccomp;       // empty: no filter
  std::vector<std::string> argv;
  std::vector<std::string> env;
  // Built from argv/env by finalize(): the pointer arrays execveat takes.
  std::vector<char*> argv_ptrs;
  std::vector<char*> env_ptrs;

  void finalize();
};

// What the child reports when a step fails (then it exits 127).
struct ChildFailure {
  int32_t step = 0;  // index into child_step_name()
  int32_t sys_errno = 0;
  int32_t mount_index = -1;  // the MountStep that failed, if any
};
std::string child_step_name(int step);

// Clones the child into new user, mount, pid, net, uts and ipc namespaces (the cgroup
// namespace comes after the parent has put it into its cgroup). The child waits for the
// parent's go byte on plan.control_fd. Returns the pid and a pidfd. Errors: kIo
// ("clone3: ..."), kPermissionDenied when namespaces cannot be created.
struct ClonedChild {
  pid_t pid;
  os::Fd pidfd;
  bool in_cgroup = false;  // born in the cgroup of `cgroup_fd` (CLONE_INTO_CGROUP)
};
// `cgroup_fd` >= 0: a cgroup v2 directory the child is born in (clone3's
// CLONE_INTO_CGROUP: no move afterwards, no moment outside it). A kernel without it
// (before 5.7) gives a child outside, in_cgroup false: the caller moves it.
Result<ClonedChild> clone_sandbox_child(const ChildPlan& plan, int cgroup_fd = -1);

}  // namespace msb::engine::ns
