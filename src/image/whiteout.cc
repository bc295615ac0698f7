#include "image/whiteout.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>

#include "image/entry_path.h"
#include "os/fd.h"
#include "os/fs_calls.h"
#include "os/xattr.h"

namespace msb::image {
namespace {

// The directory `path` below `root_fd`, created component by component as needed.
Result<os::Fd> open_or_make_dirs(int root_fd, std::string_view path) {
  os::Fd dir = MSB_TRY(os::open_beneath(root_fd, ".", O_RDONLY | O_DIRECTORY));
  size_t start = 0;
  while (start < path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    std::string part(path.substr(start, end - start));
    start = end + 1;
    Result<void> made = os::make_dir_at(dir.get(), part, 0755);
    if (!made && made.error().sys_errno != EEXIST) return tl::unexpected(made.error());
    dir = MSB_TRY(os::open_beneath(dir.get(), part, O_RDONLY | O_DIRECTORY));
  }
  return dir;
}

Result<void> make_whiteout_node(int dir_fd, const std::string& name) {
  if (name.empty() || name == "." || name == "..")
    return err(ErrorKind::kInvalidArgument, "bad whiteout name \"{}\"", name);
  Result<os::FileStatus> existing = os::stat_at(dir_fd, name, false);
  if (existing && S_ISDIR(existing->mode))
    return err(ErrorKind::kInvalidArgument, "whiteout of {}, a directory of the same layer", name);
  if (existing) MSB_TRY(os::unlink_at(dir_fd, name, false));
  return os::make_node_at(dir_fd, name, S_IFCHR, 0);
}

}  // namespace

bool is_whiteout(std::string_view path) { return base_name(path).starts_with(kWhiteoutPrefix); }

Result<void> apply_whiteout(int root_fd, const std::string& path) {
  std::string_view base = base_name(path);
  os::Fd dir = MSB_TRY(open_or_make_dirs(root_fd, dir_name(path)).context("whiteout {}", path));
  if (base == kOpaqueMarker) {
    return std::move(os::set_xattr_fd(dir.get(), kOpaqueXattr, "y")).context("opaque {}", path);
  }
  if (base.starts_with(".wh..wh.")) return {};
  std::string name(base.substr(kWhiteoutPrefix.size()));
  return std::move(make_whiteout_node(dir.get(), name)).context("whiteout {}", path);
}

}  // namespace msb::image
