// How much disk a directory tree takes (du -s): allocated blocks, each inode counted once.
#pragma once

#include <cstdint>
#include <string>

#include "common/error.h"

namespace msb::os {

// Bytes allocated to `path` and everything below it, without following symlinks or
// crossing into other mounts; a hardlinked file counts once. Errors: kinds from errno
// (kNotFound when `path` is missing). Thread-safe.
Result<uint64_t> disk_usage(const std::string& path);

}  // namespace msb::os
