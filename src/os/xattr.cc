#include "os/xattr.h"

#include <sys/xattr.h>

#include <cerrno>

namespace msb::os {
namespace {

// Calls `query(buffer, size)` (a size query when size is 0) until the buffer holds the whole
// answer: a value may grow between the size query and the read.
template <class Query>
Result<std::string> read_grown(Query query, const std::string& what) {
  for (;;) {
    ssize_t size = query(nullptr, 0);
    if (size < 0) return errno_error(errno, what);
    std::string buffer(static_cast<size_t>(size), '\0');
    if (size == 0) return buffer;
    ssize_t got = query(buffer.data(), buffer.size());
    if (got >= 0) {
      buffer.resize(static_cast<size_t>(got));
      return buffer;
    }
    if (errno != ERANGE) return errno_error(errno, what);
  }
}

}  // namespace

Result<void> set_xattr_fd(int fd, const std::string& name, const std::string& value) {
  if (::fsetxattr(fd, name.c_str(), value.data(), value.size(), 0) != 0)
    return errno_error(errno, "setxattr " + name);
  return {};
}

Result<std::string> get_xattr(const std::string& path, const std::string& name) {
  return read_grown(
      [&](char* buffer, size_t size) {
        return ::lgetxattr(path.c_str(), name.c_str(), buffer, size);
      },
      "getxattr " + name + " of " + path);
}

Result<std::vector<std::string>> list_xattrs(const std::string& path) {
  std::string list = MSB_TRY(read_grown(
      [&](char* buffer, size_t size) { return ::llistxattr(path.c_str(), buffer, size); },
      "listxattr " + path));
  std::vector<std::string> names;
  for (size_t start = 0; start < list.size();) {
    size_t end = list.find('\0', start);
    if (end == std::string::npos) end = list.size();
    if (end > start) names.push_back(list.substr(start, end - start));
    start = end + 1;
  }
  return names;
}

}  // namespace msb::os
