// A sandbox's mounts as its engine takes them: config::VolumeMount (what the user asked for)
// resolved into engine::VolumeSpec (what exists on this host now).
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "config/volume_mount.h"
#include "engine/engine.h"
#include "os/fd.h"
#include "runtime/named_volumes.h"

namespace msb::runtime {

// The host directory (or disk image) of named volume `name`, created on first use.
using NamedVolumeDir = std::function<Result<NamedVolumeSource>(std::string_view name)>;

// The engine's VolumeSpecs for `mounts` (validated), parents before their children (by path
// depth; equal depths keep their order). A bind source is resolved (realpath: the engine gets
// the file it names at launch, not a symlink that may change) and stat'ed for its kind and its
// owner, whose ids the guest's root then uses; a named volume is `named_dir(name)`, owned as
// that directory is, or a disk (raw ext4) for a disk volume; a tmpfs gets its size in bytes.
// Errors: kNotFound "mount <target>: host path <p> is gone" when a bind source no longer exists,
// kInvalidConfig when it is no longer a directory or regular file, and named_dir's errors, each
// with the mount's target. Thread-safe when named_dir is.
Result<std::vector<engine::VolumeSpec>> volume_specs_for(
    const std::vector<config::VolumeMount>& mounts, const NamedVolumeDir& named_dir);

// Locks the disk images of `volumes` for one run: shared for read-only mounts, exclusive
// for read-write ones, so that two running sandboxes (of either engine) never write one
// filesystem at once. The locks last as long as the returned fds. Errors: kStillRunning
// "mount <target>: disk image <path> is in use by another running sandbox", errno kinds.
Result<std::vector<os::Fd>> lock_volume_disks(const std::vector<engine::VolumeSpec>& volumes);

// Whether the disk images `mounts` name (kDisk mounts, by path) could be locked now as a
// run would lock them; the locks are let go at once. For create, so that an image a running
// sandbox holds is refused before anything is made (the supervisor's lock still decides).
// Errors: lock_volume_disks's kStillRunning.
Result<void> check_disks_free(const std::vector<config::VolumeMount>& mounts);

// lock_volume_disks for the run `spec` launches, and a shared lock on its root image when
// it boots one (rootfs_fstype set): no sandbox mounts that image read-write meanwhile.
Result<std::vector<os::Fd>> lock_launch_disks(const engine::LaunchSpec& spec);

}  // namespace msb::runtime
