// How much disk a directory tree takes (du -s), and how much room a filesystem has left.
#pragma once

#include <cstdint>
#include <string>

#include "common/error.h"

namespace msb::os {

// Bytes allocated to `path` and everything below it, without following symlinks or
// crossing into other mounts; a hardlinked file counts once. Errors: kinds from errno
// (kNotFound when `path` is missing). Thread-safe.
Result<uint64_t> disk_usage(const std::string& path);

struct FilesystemSpace {
  uint64_t size_bytes = 0;
  uint64_t available_bytes = 0;  // what an unprivileged writer may still use
};

// The space of the filesystem `fd` is on (fstatvfs). Errors: kinds from errno.
Result<FilesystemSpace> filesystem_space(int fd);

}  // namespace msb::os
