#include "engine/ns/base_tree.h"

#include <fcntl.h>
#include <fmt/format.h>

#include <string_view>

#include "common/paths.h"
#include "image/tree_archive.h"
#include "os/file.h"
#include "os/file_lock.h"
#include "os/file_status.h"
#include "os/fs_calls.h"

namespace msb::engine::ns {

namespace {

constexpr std::string_view kStagingMarker = ".unpacking-";

// Unpacks `archive` into `target` while holding the cache's lock, so threads and processes
// take turns: the second finds the first's tree.
Result<void> unpack_under_lock(const std::string& archive, const std::string& cache,
                               const std::string& target) {
  os::FileLock lock = MSB_TRY(os::FileLock::acquire(cache + "/.lock"));
  if (os::is_directory(target + "/bin")) return {};
  // Whatever a crashed unpack left: nobody else can be unpacking while we hold the lock.
  for (const std::string& name : os::list_dir(cache))
    if (name.find(kStagingMarker) != std::string::npos) (void)os::remove_tree(cache + "/" + name);
  std::string name = target.substr(cache.size() + 1);
  os::TempDir staging = MSB_TRY(os::TempDir::create(name + std::string(kStagingMarker), cache));
  MSB_TRY(os::chmod_at(AT_FDCWD, staging.path(), 0755));  // mkdtemp made it 0700
  // Owned by host root, as the build tree's copy: guest id n is host id n.
  MSB_TRY(
      std::move(image::extract_tree_archive(archive, staging.path(), image::TreeIds{0, 0, 65536}))
          .context("unpack {}", archive));
  MSB_TRY(os::rename_at(AT_FDCWD, staging.path(), AT_FDCWD, target));
  staging.release();
  return {};
}

}  // namespace

Result<std::string> base_tree_root(const std::string& kit) {
  std::string tree = kit + "/base";
  if (os::is_directory(tree + "/bin")) return tree;
  std::string archive = kit + "/base.tar";
  if (!os::is_regular_file(archive))
    return err(ErrorKind::kNotFound,
               "image 'base' for the namespace engine missing: neither {} nor {}; rebuild with "
               "scripts/setup.sh",
               tree, archive);
  // Keyed by the archive's size and time, not its digest: hashing 2.4 MB on every create
  // and start would cost ~8 ms; an install that replaces the archive changes its time.
  os::FileStatus status = MSB_TRY(os::lstat_path(archive));
  std::string cache = msb_home() + "/cache/base";
  std::string target = cache + "/" + fmt::format("{:x}-{:x}", status.size, status.mtime_ns);
  if (os::is_directory(target + "/bin")) return target;
  MSB_TRY(os::make_dirs(cache));
  MSB_TRY(unpack_under_lock(archive, cache, target));
  return target;
}

}  // namespace msb::engine::ns
