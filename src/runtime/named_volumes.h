// Named volumes (`msb volume ...`, the SDK's Volume, `--mount-named NAME:DST`): a record in
// the store's `volume` table plus, for kind dir, the host directory <msb_home>/volumes/<name>/
// (docs/design/volumes.md, "Named volumes").
//
// The record and the directory appear and go together: creators and removers of all
// processes serialize on the lock file <msb_home>/volumes/.lock (a name no volume can have),
// so two sandboxes that launch at once with the same new volume get one volume, not two.
//
// Every function returns Result and never throws. Besides the kinds named per function, each
// may fail with the errors of the store (kTimeout, kIo) and of the file system (kinds from
// errno, e.g. kPermissionDenied). Thread-safety is that of store::Database: the functions may
// run on several threads and processes at once, each thread with its own Database.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "store/database.h"
#include "store/volume_records.h"

namespace msb::runtime {

// What create_named_volume is asked for.
struct NewNamedVolume {
  std::string name;
  store::VolumeKind kind = store::VolumeKind::kDir;
  uint64_t size_bytes = 0;  // kDisk only; 0 = not given
  uint64_t quota_mib = 0;   // 0 = none
  std::map<std::string, std::string> labels;
};

// <msb_home>/volumes/<name>: the directory of a dir volume. Thread-safe.
std::string named_volume_dir(std::string_view msb_home, std::string_view name);

// config::validate_name's rules (1-128 bytes of [A-Za-z0-9._-], the first alphanumeric), with
// messages that say "volume name": kInvalidConfig "invalid config: volume name must ...".
// Thread-safe.
[[nodiscard]] Result<void> validate_volume_name(std::string_view name);

// Creates volume `volume.name`: checks the request, makes its directory (mode 0755, owned by
// the calling user) and records it; a disk volume then gets its image, kVolumeDiskFile, a
// sparse file of size_bytes formatted ext4 (mkfs.ext4). If recording or formatting fails,
// the record and the directory are removed again.
// An empty directory already at the volume's place without a record (what a crash between
// the two steps leaves) is adopted; anything else there is refused rather than adopted, as
// it may be data nobody recorded.
// Errors, in this order: kInvalidConfig (the name; a label, as config::validate_label);
// kUnsupported "volume quotas are not supported yet; ..."; kInvalidConfig "a disk volume
// needs a size from 16 MiB to 16 TiB ..."; kInvalidConfig "volume size applies only to disk
// volumes: a dir volume grows as its files do" (size_bytes on a dir); kAlreadyExists "volume
// '<name>' already exists"; kAlreadyExists "volume '<name>': <dir> already exists and is not an
// empty directory without a volume record; move it away, then create the volume again".
Result<store::VolumeRecord> create_named_volume(store::Database& db, std::string_view msb_home,
                                                const NewNamedVolume& volume);

// The file name of a disk volume's image in its directory.
inline constexpr const char* kVolumeDiskFile = "disk.raw";

// What a named volume mounts: a host directory, or (kind disk) a raw ext4 image.
struct NamedVolumeSource {
  std::string path;
  bool disk = false;
};

// The source of volume `name`, creating the volume (kind dir, no labels) on first use: what
// `--mount-named NAME:DST` and `-v NAME:DST` resolve to when a sandbox launches. A recorded
// dir volume whose directory has gone is given a new, empty one. Errors: kInvalidConfig (the
// name); kNotFound "volume '<name>': its disk image <path> is gone; ..." for a disk volume;
// kAlreadyExists when the directory is taken by something else (see create_named_volume);
// kIo "volume '<name>': <dir> is not a directory" for a recorded volume whose path holds
// something else.
Result<NamedVolumeSource> ensure_named_volume(store::Database& db, std::string_view msb_home,
                                              std::string_view name);

// Every named volume that stored sandboxes mount, with the names of those sandboxes (sorted):
// each sandbox whose stored config has a mount of kind named with that volume as its source.
// A sandbox whose stored config does not parse is skipped (it cannot be launched either).
Result<std::map<std::string, std::vector<std::string>>> named_volume_users(store::Database& db);

// The sandboxes that use volume `name` (sorted), as named_volume_users. Errors: none of its
// own (a volume that does not exist has no users).
Result<std::vector<std::string>> volume_users(store::Database& db, std::string_view name);

// Removes volume `name`: its directory (recursively; symlinks inside are removed, never
// followed) and then its record, so that a failure part way leaves a record to remove again.
// Errors: kInvalidConfig (the name); kNotFound "volume '<name>' not found"; kStillRunning
// "volume <name> is used by sandbox(es) a, b: remove them first or use --force" while stored
// sandboxes mount it, and with `force` still kStillRunning "volume <name> is used by running
// sandbox(es) a: stop them first" while one of them runs (running, draining or paused, after
// reconciling crashed supervisors). A forced removal leaves the sandboxes' configs as they
// are: their next start creates the volume again, empty.
Result<void> remove_named_volume(store::Database& db, std::string_view msb_home,
                                 std::string_view name, bool force);

}  // namespace msb::runtime
