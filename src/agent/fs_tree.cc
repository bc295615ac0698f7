// fs.remove and fs.copy. Trees are walked with an explicit stack of open directories (never
// by recursion, so a deep tree cannot overflow the agent's stack) and with *at calls
// relative to those fds, so a walk never re-resolves a path.
#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>
#include <string>
#include <vector>

#include "agent/fs_common.h"
#include "agent/fs_service.h"
#include "os/fs_calls.h"
#include "os/io.h"

namespace msb::agent {
namespace {

// SECURITY: O_NOFOLLOW on every directory we enter: a symlink inside the tree (or one
// swapped in while we walk) is removed or copied as a link, never followed out of the tree.
constexpr int kDirFlags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW;

protocol::FsError too_deep(const std::string& path) {
  return fs_failure("other", ELOOP,
                    "tree at " + shown(path) + " is more than " + std::to_string(kMaxTreeDepth) +
                        " directories deep",
                    path);
}

// One directory being removed.
struct RemoveLevel {
  os::Fd dir;
  std::vector<std::string> names;
  size_t next = 0;
  std::string path;  // for messages
  std::string name;  // in the parent directory (for the top level: the whole path)
};

FsResult<RemoveLevel> open_remove_level(int parent_fd, const std::string& name,
                                        const std::string& path) {
  Result<os::Fd> dir = os::open_at(parent_fd, name, kDirFlags);
  if (!dir) return tl::unexpected(fs_error(dir.error(), "open", path));
  Result<std::vector<std::string>> names = os::read_dir_names(dir->get());
  if (!names) return tl::unexpected(fs_error(names.error(), "read directory", path));
  return RemoveLevel{std::move(*dir), std::move(*names), 0, path, name};
}

// rm -r of the directory `path`. Entries that vanish meanwhile are fine.
FsResult<void> remove_tree(const std::string& path) {
  std::vector<RemoveLevel> stack;
  FsResult<RemoveLevel> top = open_remove_level(AT_FDCWD, path, path);
  if (!top) return tl::unexpected(top.error());
  stack.push_back(std::move(*top));
  while (!stack.empty()) {
    RemoveLevel& level = stack.back();
    if (level.next == level.names.size()) {
      std::string name = std::move(level.name), full = std::move(level.path);
      stack.pop_back();
      int parent_fd = stack.empty() ? AT_FDCWD : stack.back().dir.get();
      Result<void> removed = os::unlink_at(parent_fd, name, /*directory=*/true);
      if (!removed && removed.error().sys_errno != ENOENT) {
        return tl::unexpected(fs_error(removed.error(), "rmdir", full));
      }
      continue;
    }
    const std::string& name = level.names[level.next++];
    std::string child = level.path + "/" + name;
    // Anything but a directory goes with one unlink; a directory says EISDIR (Linux).
    Result<void> unlinked = os::unlink_at(level.dir.get(), name, /*directory=*/false);
    if (unlinked || unlinked.error().sys_errno == ENOENT) continue;
    if (unlinked.error().sys_errno != EISDIR) {
      return tl::unexpected(fs_error(unlinked.error(), "unlink", child));
    }
    if (stack.size() >= kMaxTreeDepth) return tl::unexpected(too_deep(path));
    FsResult<RemoveLevel> sub = open_remove_level(level.dir.get(), name, child);
    if (!sub) return tl::unexpected(sub.error());
    stack.push_back(std::move(*sub));  // `level` and `name` dangle from here
  }
  return {};
}

// One directory being copied.
struct CopyLevel {
  os::Fd from_dir;
  os::Fd to_dir;
  std::vector<std::string> names;
  size_t next = 0;
  std::string from_path;
  std::string to_path;
  uint32_t mode = 0;  // given to to_dir once it is filled
};

// A place in a walk: a name in the directory open at `dir`, and its path for messages.
struct At {
  int dir;
  const std::string& name;
  const std::string& path;
};

FsResult<CopyLevel> open_copy_level(At from, At to, uint32_t mode) {
  Result<os::Fd> from_dir = os::open_at(from.dir, from.name, kDirFlags);
  if (!from_dir) return tl::unexpected(fs_error(from_dir.error(), "open", from.path));
  Result<std::vector<std::string>> names = os::read_dir_names(from_dir->get());
  if (!names) return tl::unexpected(fs_error(names.error(), "read directory", from.path));
  // Owner-only until it is filled: nobody else sees a half-copied directory.
  Result<void> made = os::make_dir_at(to.dir, to.name, 0700);
  if (!made) return tl::unexpected(fs_error(made.error(), "mkdir", to.path));
  Result<os::Fd> to_dir = os::open_at(to.dir, to.name, kDirFlags);
  if (!to_dir) return tl::unexpected(fs_error(to_dir.error(), "open", to.path));
  return CopyLevel{
      std::move(*from_dir), std::move(*to_dir), std::move(*names), 0, from.path, to.path, mode};
}

// Copies a regular file's bytes and mode through `buffer`; returns the bytes copied.
FsResult<uint64_t> copy_file(At from, At to, uint32_t mode, std::string& buffer) {
  Result<os::Fd> in = os::open_at(from.dir, from.name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
  if (!in) return tl::unexpected(fs_error(in.error(), "open", from.path));
  Result<os::FileStatus> status = os::stat_fd(in->get());
  if (!status) return tl::unexpected(fs_error(status.error(), "stat", from.path));
  if (!S_ISREG(status->mode)) {  // replaced since we looked
    return tl::unexpected(
        fs_failure("other", 0, "copy " + shown(from.path) + ": changed type", from.path));
  }
  Result<os::Fd> out = os::open_at(to.dir, to.name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0600);
  if (!out) return tl::unexpected(fs_error(out.error(), "create", to.path));
  uint64_t bytes = 0;
  for (;;) {
    Result<size_t> n = os::read_some(in->get(), buffer);
    if (!n) return tl::unexpected(fs_error(n.error(), "read", from.path));
    if (*n == 0) break;
    Result<void> written = os::write_all(out->get(), std::string_view(buffer.data(), *n));
    if (!written) return tl::unexpected(fs_error(written.error(), "write", to.path));
    bytes += *n;
  }
  Result<void> changed = os::chmod_fd(out->get(), mode & 07777);
  if (!changed) return tl::unexpected(fs_error(changed.error(), "chmod", to.path));
  return bytes;
}

FsResult<void> copy_symlink(At from, At to) {
  Result<std::string> target = os::read_link_at(from.dir, from.name);
  if (!target) return tl::unexpected(fs_error(target.error(), "readlink", from.path));
  Result<void> made = os::symlink_at(*target, to.dir, to.name);
  if (!made) return tl::unexpected(fs_error(made.error(), "symlink", to.path));
  return {};
}

// Copies what is not a directory; adds a file's size to `bytes`.
FsResult<void> copy_leaf(At from, At to, uint32_t mode, std::string& buffer, uint64_t& bytes) {
  if (S_ISLNK(mode)) return copy_symlink(from, to);
  if (!S_ISREG(mode)) {
    return tl::unexpected(fs_failure(
        "other", 0, "copy " + shown(from.path) + ": not a file, directory or symlink", from.path));
  }
  FsResult<uint64_t> copied = copy_file(from, to, mode, buffer);
  if (!copied) return tl::unexpected(copied.error());
  bytes += *copied;
  return {};
}

// Directories get their mode once filled, so that a read-only one can be filled first.
FsResult<void> finish_level(const CopyLevel& level) {
  Result<void> changed = os::chmod_fd(level.to_dir.get(), level.mode);
  if (!changed) return tl::unexpected(fs_error(changed.error(), "chmod", level.to_path));
  return {};
}

// cp -r of the directory `from` to the new directory `to`; returns the file bytes copied.
FsResult<uint64_t> copy_tree(const std::string& from, const std::string& to, uint32_t mode) {
  std::string buffer(kFsChunkBytes, '\0');
  uint64_t bytes = 0;
  std::vector<CopyLevel> stack;
  FsResult<CopyLevel> top = open_copy_level({AT_FDCWD, from, from}, {AT_FDCWD, to, to}, mode);
  if (!top) return tl::unexpected(top.error());
  stack.push_back(std::move(*top));
  while (!stack.empty()) {
    CopyLevel& level = stack.back();
    if (level.next == level.names.size()) {
      FsResult<void> finished = finish_level(level);
      if (!finished) return tl::unexpected(finished.error());
      stack.pop_back();
      continue;
    }
    const std::string& name = level.names[level.next++];
    std::string from_child = level.from_path + "/" + name;
    std::string to_child = level.to_path + "/" + name;
    Result<os::FileStatus> status = os::stat_at(level.from_dir.get(), name, /*follow=*/false);
    if (!status && status.error().sys_errno == ENOENT) continue;  // removed meanwhile
    if (!status) return tl::unexpected(fs_error(status.error(), "lstat", from_child));
    At from_at{level.from_dir.get(), name, from_child};
    At to_at{level.to_dir.get(), name, to_child};
    if (!S_ISDIR(status->mode)) {
      FsResult<void> copied = copy_leaf(from_at, to_at, status->mode, buffer, bytes);
      if (!copied) return tl::unexpected(copied.error());
      continue;
    }
    if (stack.size() >= kMaxTreeDepth) return tl::unexpected(too_deep(from));
    FsResult<CopyLevel> sub = open_copy_level(from_at, to_at, status->mode & 07777);
    if (!sub) return tl::unexpected(sub.error());
    stack.push_back(std::move(*sub));  // `level` and `name` dangle from here
  }
  return bytes;
}

// True when `to` would land inside the directory `from` (copying it into itself forever).
bool is_inside(const std::string& from, const std::string& to) {
  size_t slash = to.rfind('/');
  std::string parent = slash == 0 ? "/" : to.substr(0, slash);
  Result<std::string> from_real = os::resolve_path(from);
  Result<std::string> parent_real = os::resolve_path(parent);
  if (!from_real || !parent_real) return false;  // the copy itself reports the problem
  std::string prefix = *from_real == "/" ? "/" : *from_real + "/";
  return *parent_real == *from_real || parent_real->starts_with(prefix);
}

}  // namespace

protocol::Message run_fs_request(const protocol::FsRemove& request) {
  if (std::optional<protocol::FsError> bad = check_path(request.path)) return *bad;
  std::string path = strip_trailing_slashes(request.path);
  Result<os::FileStatus> status = os::stat_at(AT_FDCWD, path, /*follow=*/false);
  if (!status) return fs_error(status.error(), "remove", path);
  if (!S_ISDIR(status->mode) || !request.recursive) {
    Result<void> removed = os::unlink_at(AT_FDCWD, path, S_ISDIR(status->mode));
    if (!removed) return fs_error(removed.error(), "remove", path);
    return protocol::FsDone{};
  }
  Result<std::string> resolved = os::resolve_path(path);
  if (resolved && *resolved == "/") {
    return fs_failure("invalid-path", 0, "refusing to remove the root directory", path);
  }
  FsResult<void> removed = remove_tree(path);
  if (!removed) return removed.error();
  return protocol::FsDone{};
}

protocol::Message run_fs_request(const protocol::FsCopy& request) {
  if (std::optional<protocol::FsError> bad = check_path(request.from, "from")) return *bad;
  if (std::optional<protocol::FsError> bad = check_path(request.to, "to")) return *bad;
  std::string from = strip_trailing_slashes(request.from);
  std::string to = strip_trailing_slashes(request.to);
  Result<os::FileStatus> status = os::stat_at(AT_FDCWD, from, /*follow=*/false);
  if (!status) return fs_error(status.error(), "copy", from);
  At from_at{AT_FDCWD, from, from};
  At to_at{AT_FDCWD, to, to};
  if (!S_ISDIR(status->mode)) {
    std::string buffer(S_ISREG(status->mode) ? kFsChunkBytes : 0, '\0');
    uint64_t bytes = 0;
    FsResult<void> copied = copy_leaf(from_at, to_at, status->mode, buffer, bytes);
    if (!copied) return copied.error();
    return protocol::FsDone{bytes};
  }
  if (!request.recursive) {
    return fs_failure("is-a-directory", EISDIR,
                      "copy " + shown(from) + ": is a directory (set recursive)", from);
  }
  if (is_inside(from, to)) {
    return fs_failure("invalid-path", 0,
                      "cannot copy " + shown(from) + " into itself (" + shown(to) + ")", to);
  }
  FsResult<uint64_t> copied = copy_tree(from, to, status->mode & 07777);
  if (!copied) return copied.error();
  return protocol::FsDone{*copied};
}

}  // namespace msb::agent
