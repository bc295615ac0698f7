#include "agent/guest_volumes.h"

#include <fcntl.h>
#include <sys/mount.h>

#include <string>

#include "agent/guest_disks.h"
#include "os/file.h"
#include "os/mount.h"

namespace msb::agent {
namespace {

// Where a share is mounted for the moment it takes to bind a volume's entry onto its
// target; the share is detached again right after, so the guest never sees it.
constexpr const char* kStagingDir = "/dev/.msb-volume";

unsigned long mount_flags(const VolumeMount& volume) {
  unsigned long flags = MS_NOSUID | MS_NODEV;
  if (volume.read_only) flags |= MS_RDONLY;
  if (volume.noexec) flags |= MS_NOEXEC;
  return flags;
}

std::string parent_of(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == 0 ? "/" : path.substr(0, slash);
}

Result<void> make_file(const std::string& path) {
  MSB_TRY(os::make_dirs(parent_of(path)));
  if (os::path_exists(path)) return {};
  MSB_TRY(os::open_file(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
  return {};
}

Result<void> mount_tmpfs(const VolumeMount& volume) {
  MSB_TRY(os::make_dirs(volume.target));
  std::string data = "mode=1777";
  if (volume.size_bytes != 0) data += ",size=" + std::to_string(volume.size_bytes);
  return os::mount_fs("tmpfs", volume.target, "tmpfs", mount_flags(volume), data);
}

// A share holds one entry per volume of its owner: mount it aside, bind the entry onto the
// target, let the share go (the bind keeps it mounted). The guest never sees the share's
// other entries there, nor anything of a file volume's directory but the file.
Result<void> mount_share_entry(const VolumeMount& volume) {
  bool file = volume.kind == VolumeMount::Kind::kVirtiofsFile;
  MSB_TRY(file ? make_file(volume.target) : os::make_dirs(volume.target));
  MSB_TRY(os::make_dirs(kStagingDir));
  MSB_TRY(os::mount_fs(volume.tag, kStagingDir, "virtiofs", MS_NOSUID | MS_NODEV));
  std::string entry = std::string(kStagingDir) + "/" + volume.entry;
  Result<void> bound = os::mount_fs(entry, volume.target, "", MS_BIND);
  // A bind mount takes its flags only through a remount.
  if (bound) bound = os::remount(volume.target, MS_BIND | mount_flags(volume));
  (void)os::unmount(kStagingDir, MNT_DETACH);
  (void)os::remove_tree(kStagingDir);
  return bound;
}

// Benchmarks only (docs/design/vm-volumes.md): QEMU's own 9p server.
Result<void> mount_9p(const VolumeMount& volume) {
  MSB_TRY(os::make_dirs(volume.target));
  return os::mount_fs(volume.tag, volume.target, "9p", mount_flags(volume),
                      "trans=virtio,version=9p2000.L,msize=262144");
}

// A disk volume: the virtio-blk disk the host gave this serial, mounted on the target.
Result<void> mount_disk(const VolumeMount& volume) {
  std::string device = MSB_TRY(find_disk(disks_by_serial(), volume.tag));
  MSB_TRY(os::make_dirs(volume.target));
  return os::mount_fs(device, volume.target, volume.fstype, mount_flags(volume) | MS_NOATIME);
}

Result<void> mount_volume(const VolumeMount& volume) {
  switch (volume.kind) {
    case VolumeMount::Kind::kDisk:
      return mount_disk(volume);
    case VolumeMount::Kind::k9p:
      return mount_9p(volume);
    case VolumeMount::Kind::kVirtiofs:
    case VolumeMount::Kind::kVirtiofsFile:
      return mount_share_entry(volume);
    case VolumeMount::Kind::kTmpfs:
      return mount_tmpfs(volume);
  }
  return err(ErrorKind::kInvalidArgument, "unknown volume kind");
}

}  // namespace

Result<void> mount_volumes(const std::vector<VolumeMount>& volumes) {
  for (const VolumeMount& volume : volumes)
    MSB_TRY(std::move(mount_volume(volume)).context("volume {}", volume.target));
  return {};
}

}  // namespace msb::agent
