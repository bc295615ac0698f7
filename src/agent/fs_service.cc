#include "agent/fs_service.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "os/file_status.h"

namespace msb::agent {
namespace {

std::string type_name(uint32_t mode) {
  if (S_ISREG(mode)) return "file";
  if (S_ISDIR(mode)) return "dir";
  if (S_ISLNK(mode)) return "symlink";
  return "other";
}

// The path for a message: a reply must fit in a frame whatever the request held.
std::string shown(const std::string& path) {
  constexpr size_t kMaxShown = 256;
  return path.size() <= kMaxShown ? path : path.substr(0, kMaxShown) + "...";
}

protocol::FsError error_for(int sys_errno, const std::string& path) {
  std::string kind = "other";
  if (sys_errno == EACCES || sys_errno == EPERM) kind = "permission-denied";
  if (sys_errno == ENAMETOOLONG) kind = "invalid-path";
  return protocol::FsError{kind, sys_errno,
                           "lstat " + shown(path) + ": " + std::strerror(sys_errno)};
}

}  // namespace

protocol::Message stat_path(const protocol::FsStat& request) {
  const std::string& path = request.path;
  if (path.find('\0') != std::string::npos) {
    return protocol::FsError{"invalid-path", 0, "path contains a NUL byte"};
  }
  if (path.empty() || path.front() != '/') {
    return protocol::FsError{"invalid-path", 0, "path '" + shown(path) + "' is not absolute"};
  }
  Result<os::FileStatus> status = os::lstat_path(path);
  if (!status) {
    int sys_errno = status.error().sys_errno;
    if (sys_errno == ENOENT || sys_errno == ENOTDIR) return protocol::FsStatResult{};
    return error_for(sys_errno, path);
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

}  // namespace msb::agent
