#include "os/file_lock.h"

#include <fcntl.h>
#include <sys/file.h>

#include <cerrno>

#include "os/file.h"

namespace msb::os {

Result<FileLock> FileLock::lock(const std::string& path, bool wait) {
  Fd fd = MSB_TRY(open_file(path, O_RDWR | O_CREAT | O_NOFOLLOW, 0644));
  int operation = LOCK_EX | (wait ? 0 : LOCK_NB);
  for (;;) {
    if (::flock(fd.get(), operation) == 0) return FileLock(path, std::move(fd));
    if (errno == EINTR) continue;
    if (errno == EWOULDBLOCK && !wait) {
      return make_error(ErrorKind::kAlreadyExists, "lock " + path + ": held by another owner",
                        errno);
    }
    return errno_error(errno, "flock " + path);
  }
}

Result<FileLock> FileLock::acquire(const std::string& path) { return lock(path, true); }

Result<FileLock> FileLock::try_acquire(const std::string& path) { return lock(path, false); }

Result<Fd> try_lock_existing_file(const std::string& path, bool shared) {
  Fd fd = MSB_TRY(open_file(path, O_RDONLY | O_CLOEXEC));
  for (;;) {
    if (::flock(fd.get(), (shared ? LOCK_SH : LOCK_EX) | LOCK_NB) == 0) return fd;
    if (errno == EINTR) continue;
    if (errno == EWOULDBLOCK)
      return make_error(ErrorKind::kAlreadyExists, "lock " + path + ": held by another owner",
                        errno);
    return errno_error(errno, "flock " + path);
  }
}

}  // namespace msb::os
