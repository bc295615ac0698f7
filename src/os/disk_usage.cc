#include "os/disk_usage.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#include <cerrno>
#include <set>
#include <utility>

#include "os/fs_calls.h"

namespace msb::os {
namespace {

struct Walk {
  dev_t device = 0;
  uint64_t bytes = 0;
  std::set<std::pair<dev_t, ino_t>> linked;  // inodes with nlink > 1 already counted
};

Result<struct stat> stat_nofollow(int dir_fd, const std::string& name) {
  struct stat st {};
  if (::fstatat(dir_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0)
    return errno_error(errno, "lstat " + name);
  return st;
}

Result<void> add_tree(int dir_fd, Walk& walk) {
  for (const std::string& name : MSB_TRY(read_dir_names(dir_fd))) {
    struct stat st = MSB_TRY(stat_nofollow(dir_fd, name));
    if (st.st_dev != walk.device) continue;  // a mount point: not ours to count
    if (!S_ISDIR(st.st_mode) && st.st_nlink > 1 &&
        !walk.linked.insert({st.st_dev, st.st_ino}).second)
      continue;
    walk.bytes += static_cast<uint64_t>(st.st_blocks) * 512;
    if (S_ISDIR(st.st_mode)) {
      Fd child = MSB_TRY(open_at(dir_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW));
      MSB_TRY(add_tree(child.get(), walk));
    }
  }
  return {};
}

}  // namespace

Result<uint64_t> disk_usage(const std::string& path) {
  struct stat st = MSB_TRY(stat_nofollow(AT_FDCWD, path));
  Walk walk;
  walk.device = st.st_dev;
  walk.bytes = static_cast<uint64_t>(st.st_blocks) * 512;
  if (S_ISDIR(st.st_mode)) {
    Fd root = MSB_TRY(open_at(AT_FDCWD, path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW));
    MSB_TRY(std::move(add_tree(root.get(), walk)).context("disk usage of {}", path));
  }
  return walk.bytes;
}

Result<FilesystemSpace> filesystem_space(int fd) {
  struct statvfs fs {};
  if (::fstatvfs(fd, &fs) != 0) return errno_error(errno, "fstatvfs");
  return FilesystemSpace{uint64_t{fs.f_blocks} * fs.f_frsize, uint64_t{fs.f_bavail} * fs.f_frsize};
}

}  // namespace msb::os
