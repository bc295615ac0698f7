// lstat(2) and a bounded read of small regular files: for code that must not follow a
// final symlink, nor block on a FIFO or stream a device someone put where a file should be.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "common/error.h"

struct stat;

namespace msb::os {

struct FileStatus {
  uint32_t mode = 0;  // st_mode: file type and permission bits
  uint64_t size = 0;
  int64_t mtime_ns = 0;  // since the Unix epoch
  uint32_t uid = 0;
  uint32_t gid = 0;
};

// The FileStatus of a struct stat from stat(2)/lstat(2)/fstat(2).
FileStatus file_status_from(const struct stat& st);

// lstat(2): a final symlink is described, not followed. Errors keep the errno (ENOENT is
// kNotFound, EACCES kPermissionDenied, ...). Thread-safe.
Result<FileStatus> lstat_path(const std::string& path);

// The contents of `path` when it is a regular file of at most `max_bytes` (final symlinks
// are followed). Opens non-blocking, so a FIFO cannot hang the caller. kNotFound when it
// does not exist, kInvalidArgument when it is not a regular file or is too large, other
// kinds from errno. Thread-safe.
Result<std::string> read_regular_file(const std::string& path, size_t max_bytes);

}  // namespace msb::os
