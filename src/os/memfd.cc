#include "os/memfd.h"

#include <sys/mman.h>

#include <cerrno>

#include "os/fs_calls.h"

namespace msb::os {

Result<Fd> create_memfd(const std::string& name) {
  int fd = ::memfd_create(name.c_str(), MFD_CLOEXEC);
  if (fd < 0) return errno_error(errno, "memfd_create " + name);
  return Fd(fd);
}

Result<std::string> read_whole_file(int fd) {
  std::string out;
  char buffer[4096];
  for (;;) {
    size_t got = MSB_TRY(read_at_offset(fd, std::span(buffer), out.size()));
    if (got == 0) return out;
    out.append(buffer, got);
  }
}

}  // namespace msb::os
