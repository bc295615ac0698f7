// A volume server's (virtiofsd's) process between clone and exec: it is born in a new user
// namespace, whose id maps the parent writes (engine/id_map.h, volume_server_id_map), and a
// new mount namespace, where it assembles the one tree virtiofsd serves. Everything it needs
// is prepared by the parent in a VolumeServerPlan; the child only makes syscalls (no
// allocation, no logging), reports a failed step as {step, errno} over the control socket
// and exits 127. Reviewed as security code, like engine/ns/child.cc.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "common/error.h"
#include "os/fd.h"

namespace msb::engine::vm {

// The fd number virtiofsd finds its listening vhost-user socket on (--fd=3).
inline constexpr int kVolumeSocketFdInChild = 3;

// The directory the share is assembled on in the server's own mount namespace (hidden from
// the host and from every other process): a small read-only tmpfs holding one entry per
// volume, the source's mount tree attached on it. virtiofsd is told to serve it. It must be
// a directory every uid can reach, since virtiofsd starts as the volumes' owner: the run
// directory under $MSB_HOME (often below /root, mode 0700) is not one.
inline constexpr const char* kVolumeStagingDir = "/tmp";

// One volume in the share: a detached copy of its source's mount (made by the parent,
// read-only, nosuid and nodev as needed), attached at `path` in the staging tmpfs.
struct ShareEntry {
  int mount_fd = -1;  // the detached mount (CLOEXEC)
  std::string path;   // kVolumeStagingDir + "/<entry>"
  bool file = false;
};
// The most entries one share holds (the child keeps their mounts in a fixed array).
inline constexpr size_t kMaxShareEntries = 64;

struct VolumeServerPlan {
  // Descriptors in the parent, all CLOEXEC and numbered above kVolumeSocketFdInChild.
  int control_fd = -1;              // the child's end: receives the go byte, reports failures
  int listen_fd = -1;               // the listening vhost-user socket; becomes fd 3
  int log_fd = -1;                  // becomes fds 1 and 2 (virtiofsd logs to stderr)
  int null_fd = -1;                 // becomes fd 0
  pid_t parent_pid = 0;             // the supervisor: the child dies with it
  std::vector<ShareEntry> entries;  // 1 to kMaxShareEntries
  std::string tmpfs_options;        // of the staging tmpfs
  std::string executable;           // virtiofsd
  std::vector<std::string> argv;
  std::vector<std::string> env;
  // Built from argv/env by finalize(): the pointer arrays execve takes.
  std::vector<char*> argv_ptrs;
  std::vector<char*> env_ptrs;

  void finalize();
};

// What the child reports when a step fails (then it exits 127).
struct VolumeServerFailure {
  int32_t step = 0;  // index into volume_server_step_name()
  int32_t sys_errno = 0;
  int32_t entry = -1;  // the ShareEntry the step was about, if any
};
std::string volume_server_step_name(int step);

struct ClonedVolumeServer {
  pid_t pid;
  os::Fd pidfd;
};

// Clones the child into new user and mount namespaces. It waits for the parent's go byte on
// plan.control_fd (send it once the id maps are written), then attaches the entries and execs
// plan.executable; the control socket closes on that exec. Errors: kPermissionDenied or kIo
// ("clone3: ...").
Result<ClonedVolumeServer> clone_volume_server(const VolumeServerPlan& plan);

}  // namespace msb::engine::vm
