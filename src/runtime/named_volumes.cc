#include "runtime/named_volumes.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <optional>

#include "config/sandbox_config.h"
#include "config/validate.h"
#include "os/fd.h"
#include "os/file.h"
#include "os/file_lock.h"
#include "os/file_status.h"
#include "os/fs_calls.h"
#include "os/run_command.h"
#include "store/reconcile.h"
#include "store/sandbox_records.h"

namespace msb::runtime {
namespace {

constexpr uint32_t kVolumeDirMode = 0755;

std::string volumes_root(std::string_view msb_home) { return std::string(msb_home) + "/volumes"; }

// Creators and removers of every process take this lock, so that "no record, so make the
// directory and record it" cannot interleave with another creator or a remover.
Result<os::FileLock> lock_volumes(std::string_view msb_home) {
  std::string root = volumes_root(msb_home);
  MSB_TRY(os::make_dirs(root));
  return os::FileLock::acquire(root + "/.lock");
}

// A disk volume's size: room for ext4's metadata and journal, at most what a sparse file
// on common host filesystems may be.
constexpr uint64_t kMinDiskVolumeBytes = 16ULL << 20;
constexpr uint64_t kMaxDiskVolumeBytes = 16ULL << 40;

Result<void> check_request(const NewNamedVolume& volume) {
  MSB_TRY(validate_volume_name(volume.name));
  for (const auto& [key, value] : volume.labels) MSB_TRY(config::validate_label(key, value));
  if (volume.quota_mib != 0)
    return err(ErrorKind::kUnsupported,
               "volume quotas are not supported yet; a disk volume (--kind disk --size N) is "
               "bounded by its size");
  if (volume.kind == store::VolumeKind::kDisk) {
    if (volume.size_bytes < kMinDiskVolumeBytes || volume.size_bytes > kMaxDiskVolumeBytes)
      return err(ErrorKind::kInvalidConfig,
                 "invalid config: a disk volume needs a size from 16 MiB to 16 TiB (--size 10G), "
                 "got {} bytes",
                 volume.size_bytes);
    return {};
  }
  if (volume.size_bytes != 0) {
    return err(ErrorKind::kInvalidConfig,
               "invalid config: volume size applies only to disk volumes: a dir volume grows as "
               "its files do");
  }
  return {};
}

// Whether `dir` is a directory (not a symlink to one) with no entries at all.
bool is_empty_directory(const std::string& dir) {
  Result<os::Fd> fd = os::open_file(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
  if (!fd) return false;
  Result<std::vector<std::string>> names = os::read_dir_names(fd->get());
  return names && names->empty();
}

// Makes the directory of a new volume, exactly 0755 whatever the umask. An empty directory
// already there is a leftover of a create that died before recording it: it is taken over.
Result<void> make_volume_dir(std::string_view name, const std::string& dir) {
  Result<void> made = os::make_dir_at(AT_FDCWD, dir, kVolumeDirMode);
  if (!made && made.error().sys_errno == EEXIST) {
    if (!is_empty_directory(dir)) {
      return err(ErrorKind::kAlreadyExists,
                 "volume '{}': {} already exists and is not an empty directory without a volume "
                 "record; move it away, then create the volume again",
                 name, dir);
    }
  } else if (!made) {
    return std::move(made).context("volume '{}'", name);
  }
  return os::chmod_at(AT_FDCWD, dir, kVolumeDirMode).context("volume '{}'", name);
}

// A disk volume's image in its directory: a sparse file of `size_bytes` holding an empty
// ext4 filesystem whose root the guest's root owns. Made under a temporary name and
// renamed, so a crash never leaves half a filesystem under the final name.
Result<void> make_volume_disk(const std::string& dir, uint64_t size_bytes) {
  std::string image = dir + "/" + kVolumeDiskFile;
  std::string temp = os::temp_sibling_name(image);
  Result<void> made = [&]() -> Result<void> {
    MSB_TRY(os::create_sparse_file(temp, size_bytes));
    MSB_TRY(os::run_command({"mkfs.ext4", "-q", "-F", "-E",
                             "lazy_itable_init=1,lazy_journal_init=1", "-L", "msb-volume", temp}));
    os::Fd fd = MSB_TRY(os::open_file(temp, O_RDONLY | O_CLOEXEC));
    MSB_TRY(os::sync_fd(fd.get()));
    return os::rename_at(AT_FDCWD, temp, AT_FDCWD, image);
  }();
  if (!made) (void)os::remove_file(temp);
  return made;
}

// create_named_volume with the volumes lock held.
Result<store::VolumeRecord> create_locked(store::Database& db, std::string_view msb_home,
                                          const NewNamedVolume& volume) {
  if (MSB_TRY(store::find_volume(db, volume.name)))
    return err(ErrorKind::kAlreadyExists, "volume '{}' already exists", volume.name);
  std::string dir = named_volume_dir(msb_home, volume.name);
  MSB_TRY(make_volume_dir(volume.name, dir));
  Result<store::VolumeRecord> record = store::insert_volume(db, store::NewVolume{
                                                                    .name = volume.name,
                                                                    .kind = volume.kind,
                                                                    .path = dir,
                                                                    .quota_mib = volume.quota_mib,
                                                                    .size_bytes = volume.size_bytes,
                                                                    .labels = volume.labels,
                                                                });
  // The directory is empty still: rmdir, which cannot take anything else with it.
  if (!record) (void)os::unlink_at(AT_FDCWD, dir, true);
  if (record && volume.kind == store::VolumeKind::kDisk) {
    Result<void> disk = make_volume_disk(dir, volume.size_bytes);
    if (!disk) {
      (void)store::delete_volume(db, volume.name);
      (void)os::unlink_at(AT_FDCWD, dir, true);
      return tl::unexpected(std::move(disk).context("volume '{}'", volume.name).error());
    }
  }
  return record;
}

// What recorded volume `record` mounts: its directory, made again (empty) when it has
// gone; or its disk image, which must be there (a lost image is the user's to re-create).
Result<NamedVolumeSource> existing_volume_source(std::string_view msb_home,
                                                 const store::VolumeRecord& record) {
  std::string dir = named_volume_dir(msb_home, record.name);
  if (record.kind == store::VolumeKind::kDisk) {
    std::string image = dir + "/" + kVolumeDiskFile;
    if (!os::is_regular_file(image))
      return err(ErrorKind::kNotFound,
                 "volume '{}': its disk image {} is gone; remove the volume and create it again",
                 record.name, image);
    return NamedVolumeSource{image, true};
  }
  Result<os::FileStatus> status = os::lstat_path(dir);
  if (!status) {
    if (status.error().kind != ErrorKind::kNotFound) return tl::unexpected(status.error());
    MSB_TRY(make_volume_dir(record.name, dir));
    return NamedVolumeSource{dir, false};
  }
  if (!S_ISDIR(status->mode))
    return err(ErrorKind::kIo, "volume '{}': {} is not a directory", record.name, dir);
  return NamedVolumeSource{dir, false};
}

bool is_live(store::SandboxStatus status) {
  return status == store::SandboxStatus::kRunning || status == store::SandboxStatus::kDraining ||
         status == store::SandboxStatus::kPaused;
}

// Of the sandboxes `users`, those that run now: a supervisor that died is reconciled first,
// so that a crashed sandbox does not hold its volumes.
Result<std::vector<std::string>> running_users(store::Database& db,
                                               const std::vector<std::string>& users) {
  std::vector<std::string> running;
  for (const std::string& user : users) {
    MSB_TRY(store::reconcile_sandbox(db, user));
    std::optional<store::SandboxRecord> record = MSB_TRY(store::find_sandbox(db, user));
    if (record && is_live(record->status)) running.push_back(user);
  }
  return running;
}

}  // namespace

std::string named_volume_dir(std::string_view msb_home, std::string_view name) {
  return volumes_root(msb_home) + "/" + std::string(name);
}

Result<void> validate_volume_name(std::string_view name) {
  return config::validate_name_of("volume", name);
}

Result<store::VolumeRecord> create_named_volume(store::Database& db, std::string_view msb_home,
                                                const NewNamedVolume& volume) {
  MSB_TRY(check_request(volume));
  os::FileLock lock = MSB_TRY(lock_volumes(msb_home));
  return create_locked(db, msb_home, volume);
}

Result<NamedVolumeSource> ensure_named_volume(store::Database& db, std::string_view msb_home,
                                              std::string_view name) {
  MSB_TRY(validate_volume_name(name));
  os::FileLock lock = MSB_TRY(lock_volumes(msb_home));
  std::optional<store::VolumeRecord> record = MSB_TRY(store::find_volume(db, name));
  if (record) return existing_volume_source(msb_home, *record);
  store::VolumeRecord created =
      MSB_TRY(create_locked(db, msb_home, NewNamedVolume{.name = std::string(name)}));
  return NamedVolumeSource{created.path, false};
}

Result<std::map<std::string, std::vector<std::string>>> named_volume_users(store::Database& db) {
  std::map<std::string, std::vector<std::string>> users;
  std::vector<store::SandboxRecord> sandboxes = MSB_TRY(store::list_sandboxes(db));
  for (const store::SandboxRecord& sandbox : sandboxes) {
    Result<config::SandboxConfig> config = config::config_from_json(sandbox.config_json);
    if (!config) continue;
    for (const config::VolumeMount& mount : config->mounts) {
      if (mount.kind != config::VolumeMount::Kind::kNamed) continue;
      std::vector<std::string>& names = users[mount.source];
      // One sandbox may mount a volume at two targets: it is one user.
      if (std::find(names.begin(), names.end(), sandbox.name) == names.end())
        names.push_back(sandbox.name);
    }
  }
  for (auto& [volume, names] : users) std::sort(names.begin(), names.end());
  return users;
}

Result<std::vector<std::string>> volume_users(store::Database& db, std::string_view name) {
  std::map<std::string, std::vector<std::string>> users = MSB_TRY(named_volume_users(db));
  auto found = users.find(std::string(name));
  if (found == users.end()) return std::vector<std::string>{};
  return std::move(found->second);
}

Result<void> remove_named_volume(store::Database& db, std::string_view msb_home,
                                 std::string_view name, bool force) {
  MSB_TRY(validate_volume_name(name));
  os::FileLock lock = MSB_TRY(lock_volumes(msb_home));
  MSB_TRY(store::get_volume(db, name));
  std::vector<std::string> users = MSB_TRY(volume_users(db, name));
  if (!users.empty() && !force) {
    return err(ErrorKind::kStillRunning,
               "volume {} is used by sandbox(es) {}: remove them first or use --force", name,
               fmt::join(users, ", "));
  }
  std::vector<std::string> running = MSB_TRY(running_users(db, users));
  if (!running.empty()) {
    return err(ErrorKind::kStillRunning,
               "volume {} is used by running sandbox(es) {}: stop them first", name,
               fmt::join(running, ", "));
  }
  // Directory first: a failure or crash part way leaves the record, so `rm` can run again.
  // std::filesystem::remove_all removes symlinks inside and never follows them.
  MSB_TRY(os::remove_tree(named_volume_dir(msb_home, name)).context("volume '{}'", name));
  return store::delete_volume(db, name);
}

}  // namespace msb::runtime
