// The quick fs requests: one system call or a few on one path, answered at once.
#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "agent/fs_common.h"
#include "agent/fs_service.h"
#include "os/fs_calls.h"

namespace msb::agent {
namespace {

constexpr uint32_t kDefaultDirMode = 0755;

// Creates the missing directories above `path` (mode 0755 less the umask). Existing ones
// are fine; a file in the way makes the final mkdir fail with ENOTDIR.
std::optional<protocol::FsError> make_parents(const std::string& path) {
  for (size_t slash = path.find('/', 1); slash != std::string::npos;
       slash = path.find('/', slash + 1)) {
    std::string parent = path.substr(0, slash);
    if (parent.ends_with('/')) continue;  // "//" in the path
    Result<void> made = os::make_dir_at(AT_FDCWD, parent, kDefaultDirMode);
    if (!made && made.error().sys_errno != EEXIST) return fs_error(made.error(), "mkdir", parent);
  }
  return std::nullopt;
}

bool is_directory(const std::string& path) {
  Result<os::FileStatus> status = os::stat_at(AT_FDCWD, path, /*follow=*/true);
  return status && S_ISDIR(status->mode);
}

// An id of fs.chown: -1 (unchanged) or 0 to 4294967294.
std::optional<uint32_t> owner_id(int64_t id) {
  if (id == -1) return os::kKeepId;
  if (id < 0 || id >= int64_t{os::kKeepId}) return std::nullopt;
  return static_cast<uint32_t>(id);
}

bool valid_time(int64_t ns) { return ns >= 0 || ns == os::kTimeNow || ns == os::kTimeOmit; }

}  // namespace

protocol::Message stat_path(const protocol::FsStat& request) {
  const std::string& path = request.path;
  if (std::optional<protocol::FsError> bad = check_path(path)) return *bad;
  Result<os::FileStatus> status = os::stat_at(AT_FDCWD, path, request.follow);
  if (!status) {
    int sys_errno = status.error().sys_errno;
    if (sys_errno == ENOENT || sys_errno == ENOTDIR) return protocol::FsStatResult{};
    return fs_error(sys_errno, request.follow ? "stat" : "lstat", path);
  }
  protocol::FsStatResult result;
  result.exists = true;
  result.type = type_name(status->mode);
  result.mode = status->mode & 07777;
  result.size = status->size;
  result.mtime_ns = status->mtime_ns;
  result.uid = status->uid;
  result.gid = status->gid;
  return result;
}

protocol::Message run_fs_request(const protocol::FsStat& request) { return stat_path(request); }

protocol::Message run_fs_request(const protocol::FsMkdir& request) {
  if (std::optional<protocol::FsError> bad = check_path(request.path)) return *bad;
  std::string path = strip_trailing_slashes(request.path);
  uint32_t mode = request.mode == 0 ? kDefaultDirMode : request.mode & 07777;
  if (request.parents) {
    if (std::optional<protocol::FsError> failed = make_parents(path)) return *failed;
  }
  Result<void> made = os::make_dir_at(AT_FDCWD, path, mode);
  if (!made) {
    if (request.parents && made.error().sys_errno == EEXIST && is_directory(path)) {
      return protocol::FsDone{};
    }
    return fs_error(made.error(), "mkdir", path);
  }
  // The mode is the one asked for, whatever the agent's umask.
  Result<void> changed = os::chmod_at(AT_FDCWD, path, mode);
  if (!changed) return fs_error(changed.error(), "chmod", path);
  return protocol::FsDone{};
}

protocol::Message run_fs_request(const protocol::FsRename& request) {
  if (std::optional<protocol::FsError> bad = check_path(request.from, "from")) return *bad;
  if (std::optional<protocol::FsError> bad = check_path(request.to, "to")) return *bad;
  Result<void> renamed = os::rename_at(AT_FDCWD, request.from, AT_FDCWD, request.to);
  if (renamed) return protocol::FsDone{};
  int sys_errno = renamed.error().sys_errno;
  // These errors are about what is at `to`; the others name `from` (or its directory).
  bool about_target = sys_errno == EEXIST || sys_errno == ENOTEMPTY || sys_errno == EISDIR;
  std::string message = "rename " + shown(request.from) + " to " + shown(request.to) + ": " +
                        std::strerror(sys_errno);
  return fs_failure(fs_error_kind(sys_errno), sys_errno, std::move(message),
                    about_target ? request.to : request.from);
}

protocol::Message run_fs_request(const protocol::FsSymlink& request) {
  if (std::optional<protocol::FsError> bad = check_path(request.link, "link")) return *bad;
  if (request.target.empty() || request.target.find('\0') != std::string::npos) {
    return fs_failure("invalid-path", 0, "target is empty or contains a NUL byte", request.link);
  }
  Result<void> made = os::symlink_at(request.target, AT_FDCWD, request.link);
  if (!made) return fs_error(made.error(), "symlink", request.link);
  return protocol::FsDone{};
}

protocol::Message run_fs_request(const protocol::FsReadLink& request) {
  if (std::optional<protocol::FsError> bad = check_path(request.path)) return *bad;
  Result<std::string> target = os::read_link_at(AT_FDCWD, request.path);
  if (target) return protocol::FsPathResult{std::move(*target)};
  if (target.error().sys_errno == EINVAL) {
    return fs_failure("other", EINVAL, "readlink " + shown(request.path) + ": not a symbolic link",
                      request.path);
  }
  return fs_error(target.error(), "readlink", request.path);
}

protocol::Message run_fs_request(const protocol::FsRealPath& request) {
  if (std::optional<protocol::FsError> bad = check_path(request.path)) return *bad;
  Result<std::string> resolved = os::resolve_path(request.path);
  if (!resolved) return fs_error(resolved.error(), "realpath", request.path);
  return protocol::FsPathResult{std::move(*resolved)};
}

protocol::Message run_fs_request(const protocol::FsChmod& request) {
  if (std::optional<protocol::FsError> bad = check_path(request.path)) return *bad;
  Result<void> changed = os::chmod_at(AT_FDCWD, request.path, request.mode & 07777);
  if (!changed) return fs_error(changed.error(), "chmod", request.path);
  return protocol::FsDone{};
}

protocol::Message run_fs_request(const protocol::FsChown& request) {
  if (std::optional<protocol::FsError> bad = check_path(request.path)) return *bad;
  std::optional<uint32_t> uid = owner_id(request.uid);
  std::optional<uint32_t> gid = owner_id(request.gid);
  if (!uid || !gid) {
    return fs_failure("other", EINVAL, "uid and gid must be -1 or 0 to 4294967294", request.path);
  }
  Result<void> changed = os::chown_at(AT_FDCWD, request.path, *uid, *gid, request.follow);
  if (!changed) return fs_error(changed.error(), "chown", request.path);
  return protocol::FsDone{};
}

protocol::Message run_fs_request(const protocol::FsSetTimes& request) {
  if (std::optional<protocol::FsError> bad = check_path(request.path)) return *bad;
  if (!valid_time(request.atime_ns) || !valid_time(request.mtime_ns)) {
    return fs_failure("other", EINVAL, "times must be >= 0, -1 (now) or -2 (unchanged)",
                      request.path);
  }
  Result<void> changed =
      os::set_times_at(AT_FDCWD, request.path, request.atime_ns, request.mtime_ns, request.follow);
  if (!changed) return fs_error(changed.error(), "utimensat", request.path);
  return protocol::FsDone{};
}

}  // namespace msb::agent
