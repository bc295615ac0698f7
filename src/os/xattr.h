// Extended attributes (setxattr(2) family), never following a final symlink. Errors keep
// the errno (ENODATA when the attribute is absent, ENOTSUP when the filesystem has none)
// and name the attribute. Thread-safe.
#pragma once

#include <string>
#include <vector>

#include "common/error.h"

namespace msb::os {

// fsetxattr(2) on an open file or directory (not an O_PATH fd).
Result<void> set_xattr_fd(int fd, const std::string& name, const std::string& value);
// lgetxattr(2): the whole value, however long.
Result<std::string> get_xattr(const std::string& path, const std::string& name);
// llistxattr(2): every attribute name of `path`.
Result<std::vector<std::string>> list_xattrs(const std::string& path);

}  // namespace msb::os
