#include "image/rootfs_disk.h"

#include <fcntl.h>
#include <sys/mount.h>

#include "image/digest.h"
#include "os/fd.h"
#include "os/file.h"
#include "os/fs_calls.h"
#include "os/mount.h"
#include "os/run_command.h"

namespace msb::image {
namespace {

// Temporary build directories are "<hex>.tmp-XXXXXX" holding mnt/ (the overlay), empty/
// and the image being written.
Result<void> remove_leftovers(const std::string& dir, const std::string& hex) {
  for (const std::string& name : os::list_dir(dir)) {
    if (!name.starts_with(hex + ".tmp-")) continue;
    // Unmount first: removing files through a mounted overlay would reach the layers.
    (void)os::unmount(dir + "/" + name + "/mnt", MNT_DETACH);
    MSB_TRY(os::remove_tree(dir + "/" + name));
  }
  return {};
}

// The overlay options for `layer_dirs` (lowest first) over an empty directory: overlayfs
// wants two lower layers at least when it has no upper one. Each directory is named by
// /proc/self/fd/N of an fd in `opened`, which keeps the option short for many layers and
// free of the ',' and ':' that a path may hold.
Result<std::string> lower_dirs_option(const std::vector<std::string>& layer_dirs,
                                      const std::string& empty, std::vector<os::Fd>& opened) {
  std::string option = "lowerdir=";
  for (auto it = layer_dirs.rbegin(); it != layer_dirs.rend(); ++it) {
    opened.push_back(MSB_TRY(os::open_at(AT_FDCWD, *it, O_PATH | O_DIRECTORY)));
    option += "/proc/self/fd/" + std::to_string(opened.back().get()) + ":";
  }
  opened.push_back(MSB_TRY(os::open_at(AT_FDCWD, empty, O_PATH | O_DIRECTORY)));
  return option + "/proc/self/fd/" + std::to_string(opened.back().get());
}

Result<void> build_image(const std::vector<std::string>& layer_dirs, const std::string& temp,
                         const std::string& image, const FaultPoint& fault) {
  MSB_TRY(os::make_dirs(temp + "/mnt"));
  MSB_TRY(os::make_dirs(temp + "/empty"));
  std::vector<os::Fd> opened;
  std::string lower = MSB_TRY(lower_dirs_option(layer_dirs, temp + "/empty", opened));
  os::Mount merged = MSB_TRY(os::Mount::create("overlay", temp + "/mnt", "overlay", MS_RDONLY,
                                               lower + ",redirect_dir=off,metacopy=off"));
  MSB_TRY(check_fault(fault, "mounted"));
  MSB_TRY(os::run_command({"mkfs.erofs", "--quiet", "--preserve-mtime", image, merged.target()}));
  return merged.unmount();
}

}  // namespace

Result<void> pack_directory_disk(const std::string& dir, const std::string& image) {
  std::string temp = os::temp_sibling_name(image);
  Result<void> packed = [&]() -> Result<void> {
    MSB_TRY(os::run_command({"mkfs.erofs", "--quiet", "--preserve-mtime", temp, dir}));
    return os::rename_at(AT_FDCWD, temp, AT_FDCWD, image);
  }();
  if (!packed) (void)os::remove_file(temp);
  return std::move(packed).context("pack {} into {}", dir, image);
}

Result<std::string> ensure_rootfs_disk(const std::string& cache_dir,
                                       const std::string& manifest_digest,
                                       const std::vector<std::string>& layer_dirs,
                                       const FaultPoint& fault) {
  std::string hex = MSB_TRY(digest_hex(manifest_digest));
  if (layer_dirs.empty())
    return err(ErrorKind::kInvalidArgument, "rootfs disk of {}: no layers", manifest_digest);
  std::string dir = cache_dir + "/rootfs";
  MSB_TRY(os::make_dirs(dir));
  os::FileLock lock = MSB_TRY(lock_entry(cache_dir, "rootfs", hex));
  std::string final = dir + "/" + hex + ".erofs";
  if (os::is_regular_file(final)) return final;
  MSB_TRY(remove_leftovers(dir, hex));
  os::TempDir temp = MSB_TRY(os::TempDir::create(hex + ".tmp-", dir));
  std::string image = temp.path() + "/rootfs.erofs";
  MSB_TRY(build_image(layer_dirs, temp.path(), image, fault)
              .context("rootfs disk of {}", manifest_digest));
  MSB_TRY(check_fault(fault, "built"));
  os::Fd fd = MSB_TRY(os::open_file(image, O_RDONLY));
  MSB_TRY(os::sync_fd(fd.get()));
  MSB_TRY(publish(image, final, fault));
  return final;
}

}  // namespace msb::image
