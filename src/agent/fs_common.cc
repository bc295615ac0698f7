#include "agent/fs_common.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>

namespace msb::agent {

std::string_view fs_error_kind(int sys_errno) {
  switch (sys_errno) {
    case ENOENT:
      return "not-found";
    case ENOTDIR:
      return "not-a-directory";
    case EISDIR:
      return "is-a-directory";
    case EACCES:
    case EPERM:
    case EROFS:
      return "permission-denied";
    case EEXIST:
      return "already-exists";
    case ENOTEMPTY:
      return "not-empty";
    case ENAMETOOLONG:
      return "invalid-path";
    case EIO:
    case ENOSPC:
    case EDQUOT:
    case EFBIG:
      return "io";
    default:
      return "other";
  }
}

std::string shown(const std::string& path) {
  constexpr size_t kMaxShown = 256;
  return path.size() <= kMaxShown ? path : path.substr(0, kMaxShown) + "...";
}

protocol::FsError fs_error(int sys_errno, std::string_view op, const std::string& path) {
  std::string message = std::string(op) + " " + shown(path) + ": " + std::strerror(sys_errno);
  return protocol::FsError{std::string(fs_error_kind(sys_errno)), sys_errno, std::move(message),
                           shown(path)};
}

protocol::FsError fs_error(const Error& error, std::string_view op, const std::string& path) {
  return fs_error(error.sys_errno, op, path);
}

protocol::FsError fs_failure(std::string_view kind, int sys_errno, std::string message,
                             const std::string& path) {
  return protocol::FsError{std::string(kind), sys_errno, std::move(message), shown(path)};
}

std::optional<protocol::FsError> check_path(const std::string& path, std::string_view field) {
  if (path.find('\0') != std::string::npos) {
    return fs_failure("invalid-path", 0, std::string(field) + " contains a NUL byte", path);
  }
  if (path.empty() || path.front() != '/') {
    return fs_failure("invalid-path", 0,
                      std::string(field) + " '" + shown(path) + "' is not absolute", path);
  }
  return std::nullopt;
}

std::string strip_trailing_slashes(const std::string& path) {
  size_t end = path.find_last_not_of('/');
  return end == std::string::npos ? path.substr(0, 1) : path.substr(0, end + 1);
}

std::string type_name(uint32_t mode) {
  if (S_ISREG(mode)) return "file";
  if (S_ISDIR(mode)) return "dir";
  if (S_ISLNK(mode)) return "symlink";
  return "other";
}

Result<WriteFlags> parse_write_flags(std::string_view text) {
  if (text.empty()) return WriteFlags{.create = true, .truncate = true};
  WriteFlags flags;
  for (size_t start = 0;;) {
    size_t comma = text.find(',', start);
    std::string_view name = text.substr(start, comma - start);
    if (name == "create") {
      flags.create = true;
    } else if (name == "truncate") {
      flags.truncate = true;
    } else if (name == "append") {
      flags.append = true;
    } else if (name == "exclusive") {
      flags.exclusive = flags.create = true;
    } else {
      return err(ErrorKind::kInvalidArgument,
                 "unknown mode flag '{}' (expected create, truncate, append, exclusive)",
                 name.substr(0, 64));
    }
    if (comma == std::string_view::npos) return flags;
    start = comma + 1;
  }
}

int open_flags(const WriteFlags& flags) {
  int result = O_WRONLY;
  if (flags.create) result |= O_CREAT;
  if (flags.truncate) result |= O_TRUNC;
  if (flags.append) result |= O_APPEND;
  if (flags.exclusive) result |= O_EXCL;
  return result;
}

}  // namespace msb::agent
