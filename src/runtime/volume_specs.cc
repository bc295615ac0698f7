#include "runtime/volume_specs.h"

#include <sys/stat.h>

#include <algorithm>

#include "common/shown.h"
#include "os/file_lock.h"
#include "os/file_status.h"
#include "os/fs_calls.h"

namespace msb::runtime {
namespace {

using config::VolumeMount;
using engine::VolumeSpec;

size_t depth(std::string_view path) { return std::count(path.begin(), path.end(), '/'); }

// `path` resolved, with its kind and owner.
Result<void> describe_source(const std::string& path, VolumeSpec& spec) {
  Result<std::string> resolved = os::resolve_path(path);
  if (!resolved) {
    if (resolved.error().kind == ErrorKind::kNotFound)
      return err(ErrorKind::kNotFound, "host path {} is gone", shown(path));
    return tl::unexpected(resolved.error());
  }
  os::FileStatus status = MSB_TRY(os::lstat_path(*resolved));
  if (S_ISDIR(status.mode)) {
    spec.kind = VolumeSpec::Kind::kDirectory;
  } else if (S_ISREG(status.mode)) {
    spec.kind = VolumeSpec::Kind::kFile;
  } else {
    return err(ErrorKind::kInvalidConfig, "host path {} is neither a directory nor a regular file",
               shown(path));
  }
  spec.source = std::move(*resolved);
  spec.owner_uid = status.uid;
  spec.owner_gid = status.gid;
  return {};
}

Result<VolumeSpec> spec_for(const VolumeMount& mount, const NamedVolumeDir& named_dir) {
  VolumeSpec spec;
  spec.target = mount.target;
  spec.read_only = mount.read_only;
  spec.noexec = mount.noexec;
  switch (mount.kind) {
    case VolumeMount::Kind::kBind:
      MSB_TRY(describe_source(mount.source, spec));
      break;
    case VolumeMount::Kind::kNamed: {
      NamedVolumeSource source = MSB_TRY(named_dir(mount.source));
      MSB_TRY(describe_source(source.path, spec));
      if (source.disk) spec.kind = VolumeSpec::Kind::kDisk;  // raw ext4: the defaults
      break;
    }
    case VolumeMount::Kind::kTmpfs:
      spec.kind = VolumeSpec::Kind::kTmpfs;
      spec.size_bytes = mount.size_mib * 1024 * 1024;
      break;
    case VolumeMount::Kind::kDisk:
      MSB_TRY(describe_source(mount.source, spec));
      if (spec.kind != VolumeSpec::Kind::kFile)
        return err(ErrorKind::kInvalidConfig, "disk image {} is not a regular file",
                   shown(mount.source));
      spec.kind = VolumeSpec::Kind::kDisk;
      if (!mount.format.empty()) spec.format = mount.format;
      if (!mount.fstype.empty()) spec.fstype = mount.fstype;
      break;
  }
  return spec;
}

}  // namespace

Result<std::vector<VolumeSpec>> volume_specs_for(const std::vector<VolumeMount>& mounts,
                                                 const NamedVolumeDir& named_dir) {
  std::vector<VolumeSpec> specs;
  for (const VolumeMount& mount : mounts)
    specs.push_back(MSB_TRY(spec_for(mount, named_dir).context("mount {}", shown(mount.target))));
  std::stable_sort(specs.begin(), specs.end(), [](const VolumeSpec& a, const VolumeSpec& b) {
    return depth(a.target) < depth(b.target);
  });
  return specs;
}

Result<std::vector<os::Fd>> lock_volume_disks(const std::vector<VolumeSpec>& volumes) {
  std::vector<os::Fd> locks;
  for (const VolumeSpec& volume : volumes) {
    if (volume.kind != VolumeSpec::Kind::kDisk) continue;
    Result<os::Fd> lock = os::try_lock_existing_file(volume.source, volume.read_only);
    if (!lock && lock.error().kind == ErrorKind::kAlreadyExists)
      return err(ErrorKind::kStillRunning,
                 "mount {}: disk image {} is in use by another running sandbox",
                 shown(volume.target), shown(volume.source));
    locks.push_back(MSB_TRY(std::move(lock).context("mount {}", shown(volume.target))));
  }
  return locks;
}

Result<void> check_disks_free(const std::vector<VolumeMount>& mounts) {
  std::vector<VolumeSpec> disks;
  for (const VolumeMount& mount : mounts) {
    if (mount.kind != VolumeMount::Kind::kDisk) continue;
    VolumeSpec spec;
    spec.kind = VolumeSpec::Kind::kDisk;
    spec.source = mount.source;
    spec.target = mount.target;
    spec.read_only = mount.read_only;
    disks.push_back(std::move(spec));
  }
  (void)MSB_TRY(lock_volume_disks(disks));
  return {};
}

Result<std::vector<os::Fd>> lock_launch_disks(const engine::LaunchSpec& spec) {
  std::vector<os::Fd> locks = MSB_TRY(lock_volume_disks(spec.volumes));
  if (spec.rootfs_fstype.empty()) return locks;
  const std::string& image = spec.rootfs_layers.front();
  Result<os::Fd> lock = os::try_lock_existing_file(image, /*shared=*/true);
  if (!lock && lock.error().kind == ErrorKind::kAlreadyExists)
    return err(ErrorKind::kStillRunning,
               "root image {} is mounted read-write by another running sandbox", shown(image));
  locks.push_back(MSB_TRY(std::move(lock).context("root image {}", shown(image))));
  return locks;
}

}  // namespace msb::runtime
