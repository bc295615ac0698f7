// Starting a virtiofsd: the socket, the log, the id maps and the wait for its exec. The
// child's side (namespaces, mounts) is in volume_server_child.cc.
#include "engine/vm/volume_server.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "engine/child_launch.h"
#include "engine/id_map.h"
#include "engine/vm/qemu_cmdline.h"
#include "engine/vm/volume_server_child.h"
#include "os/file.h"
#include "os/io.h"
#include "os/mount_api.h"
#include "os/pty.h"
#include "os/system.h"
#include "os/unix_socket.h"

namespace msb::engine::vm {
namespace {

constexpr int kSetupTimeoutMs = 10000;
// virtiofsd keeps an O_PATH descriptor open for every inode the guest has looked up, so a
// tree walk in the guest needs many. The parent sets this limit (a process in a user
// namespace cannot raise its own hard limit); 64 Ki bounds what one sandbox can pin on the
// host while covering the dentry cache of a small VM.
constexpr uint64_t kServerOpenFiles = 65536;

// The descriptors the child inherits, moved above the numbers it dup2s onto.
struct ServerFds {
  os::Fd control;
  os::Fd listen;
  os::Fd log;
  os::Fd null;
};

// A listening socket and QEMU's end, connected to it before anyone runs: virtiofsd accepts
// that one connection at once. The socket's path exists only between bind and connect, in
// the run directory (0700, root's), where nobody else can reach it. The path goes through
// /proc/self/fd/<run dir>: a sockaddr_un holds 107 bytes, a $MSB_HOME may be longer.
struct SocketEnds {
  os::Fd listen;
  os::Fd qemu;
};
Result<SocketEnds> connected_socket(const std::string& run_dir, size_t index) {
  os::Fd dir = MSB_TRY(os::open_file(run_dir, O_PATH | O_DIRECTORY | O_CLOEXEC));
  std::string path = fmt::format("/proc/self/fd/{}/vfs{}.sock", dir.get(), index);
  SocketEnds ends;
  ends.listen = MSB_TRY(os::listen_unix(path, 1));
  ends.qemu = MSB_TRY(os::connect_unix(path));
  MSB_TRY(os::remove_file(path));
  MSB_TRY(os::set_nonblocking(ends.listen.get(), false));
  return ends;
}

// SECURITY: the source's own mount only, as on the namespace engine (the mounts below it
// stay out of the share), and read-only by the mount itself for a read-only volume, whatever
// virtiofsd does (7.2 has no read-only option). nosuid and nodev: the server never follows
// a set-id bit or opens a host device node through it.
Result<os::Fd> source_mount(const VolumeSpec& volume) {
  os::Fd mount = MSB_TRY(os::clone_single_mount(volume.source));
  os::MountAttributes attributes;
  attributes.read_only = volume.read_only;
  attributes.nosuid = true;
  attributes.nodev = true;
  MSB_TRY(os::set_mount_attributes(mount.get(), attributes));
  return mount;
}

std::string describe_failure(const VolumeServerFailure& failure) {
  return volume_server_step_name(failure.step) + ": " + std::strerror(failure.sys_errno);
}

// Waits until the child has exec'd virtiofsd (the control socket closes) or reports the
// step that failed.
Result<void> await_exec(int control_fd, const LaunchSpec& spec,
                        const std::vector<size_t>& volumes) {
  std::string report =
      MSB_TRY(await_child_report(control_fd, kSetupTimeoutMs, "volume server setup"));
  if (report.empty()) return {};
  VolumeServerFailure failure = child_failure_from<VolumeServerFailure>(report);
  // The volume the failed step was about, else the first of the share.
  size_t entry = failure.entry >= 0 && static_cast<size_t>(failure.entry) < volumes.size()
                     ? static_cast<size_t>(failure.entry)
                     : 0;
  return tl::unexpected(
      Error{ErrorKind::kBootFailed, failure.sys_errno,
            fmt::format("volume {}: volume server setup failed: {}",
                        spec.volumes[volumes[entry]].target, describe_failure(failure))});
}

// The child's user namespace gets the volume's ids, and the open-file limit it cannot
// raise itself; then it may go on.
Result<void> release_child(pid_t pid, const VolumeSpec& volume, int control_fd) {
  std::string proc = "/proc/" + std::to_string(pid);
  std::string uid_map = MSB_TRY(volume_server_id_map(volume.owner_uid, sandbox_uid_range()));
  std::string gid_map = MSB_TRY(volume_server_id_map(volume.owner_gid, sandbox_gid_range()));
  MSB_TRY(os::write_file(proc + "/uid_map", uid_map));
  MSB_TRY(os::write_file(proc + "/gid_map", gid_map));
  // Raising a hard limit takes CAP_SYS_RESOURCE, which we may lack: no more than ours.
  MSB_TRY(os::set_open_file_limit(pid, std::min(kServerOpenFiles, os::hard_open_file_limit())));
  return os::write_all(control_fd, "g");
}

}  // namespace

std::string virtiofsd_path() {
  const char* configured = std::getenv("MSB_VIRTIOFSD");
  return configured && *configured ? configured : "/usr/lib/qemu/virtiofsd";
}

std::vector<std::string> virtiofsd_command(const std::string& executable,
                                           const std::string& staging) {
  return {
      executable,
      // Stay our child, so that we kill and reap it.
      "-f", "--fd=" + std::to_string(kVolumeSocketFdInChild), "-o", "source=" + staging,
      // The default: metadata cached for a second, file data per open. The host may change
      // the files too, and under TCG every FUSE round trip costs, so neither extreme
      // ("none", "always") fits a shared host directory as well.
      "-o", "cache=auto",
      // The guest's xattrs would land on the host's files (security.*, trusted.* included).
      "-o", "no_xattr",
      // The parent has set the limit already; virtiofsd's own raise would fail (EPERM) in
      // the user namespace and end the daemon.
      "--rlimit-nofile=0",
      // Errors and warnings only: the log is for explaining a failure (it joins the boot
      // failure report), and info is a dozen lines of queue chatter per boot.
      "-o", "log_level=warn",
      // Not given, on purpose: -o announce_submounts (off: the source's submounts show as
      // one filesystem, nothing for the guest to automount, and the staged file's bind
      // mount stays invisible) and -o sandbox (namespace: virtiofsd pivots into the share
      // and gives up the rest of our mount namespace).
  };
}

Result<VolumeServer> start_volume_server(const LaunchSpec& spec, const std::vector<size_t>& volumes,
                                         size_t share) {
  MSB_CHECK(!volumes.empty() && volumes.size() <= kMaxShareEntries);
  std::string executable = virtiofsd_path();
  if (!os::is_regular_file(executable))
    return err(ErrorKind::kNotFound, "virtiofsd missing: {} (install qemu-system-common)",
               executable);
  std::string log_path = fmt::format("{}/virtiofsd-{}.log", spec.runtime_dir, share);
  SocketEnds socket = MSB_TRY(connected_socket(spec.run_dir, share));
  os::SocketPair control = MSB_TRY(os::make_socketpair(SOCK_STREAM));
  ServerFds fds;
  fds.control = MSB_TRY(move_above_child_fds(std::move(control.second)));
  fds.listen = MSB_TRY(move_above_child_fds(std::move(socket.listen)));
  fds.log = MSB_TRY(move_above_child_fds(
      MSB_TRY(os::open_file(log_path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0600))));
  fds.null = MSB_TRY(move_above_child_fds(MSB_TRY(os::open_file("/dev/null", O_RDWR | O_CLOEXEC))));

  VolumeServerPlan plan;
  plan.control_fd = fds.control.get();
  plan.listen_fd = fds.listen.get();
  plan.log_fd = fds.log.get();
  plan.null_fd = fds.null.get();
  plan.parent_pid = os::current_pid();
  std::vector<os::Fd> mounts;  // open until the child has attached them
  for (size_t index : volumes) {
    const VolumeSpec& volume = spec.volumes[index];
    mounts.push_back(MSB_TRY(std::move(source_mount(volume)).context("volume {}", volume.target)));
    plan.entries.push_back(ShareEntry{mounts.back().get(),
                                      fmt::format("{}/{}", kVolumeStagingDir, index),
                                      volume.kind == VolumeSpec::Kind::kFile});
  }
  // Room for the entries and nothing else.
  plan.tmpfs_options =
      fmt::format("size=64k,nr_inodes={},mode=0755,uid=0,gid=0", volumes.size() + 4);
  plan.executable = executable;
  plan.argv = virtiofsd_command(executable, kVolumeStagingDir);
  plan.finalize();

  ClonedVolumeServer cloned = MSB_TRY(clone_volume_server(plan));
  // Owned from here: any failure below kills and reaps it.
  os::ChildProcess process = os::ChildProcess::adopt(cloned.pid, std::move(cloned.pidfd));
  fds.control.reset();  // the child's copy; ours is control.first
  const VolumeSpec& first = spec.volumes[volumes.front()];
  MSB_TRY(std::move(release_child(cloned.pid, first, control.first.get()))
              .context("volume {}", first.target));
  MSB_TRY(await_exec(control.first.get(), spec, volumes));
  return VolumeServer{std::move(process), std::move(socket.qemu), std::move(log_path)};
}

}  // namespace msb::engine::vm
