#include "os/file_status.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>

#include "os/file.h"
#include "os/io.h"

namespace msb::os {
FileStatus file_status_from(const struct stat& st) {
  FileStatus status;
  status.mode = st.st_mode;
  status.size = static_cast<uint64_t>(st.st_size);
  status.mtime_ns = int64_t{st.st_mtim.tv_sec} * 1'000'000'000 + st.st_mtim.tv_nsec;
  status.uid = st.st_uid;
  status.gid = st.st_gid;
  return status;
}

Result<FileStatus> lstat_path(const std::string& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) return errno_error(errno, "lstat " + path);
  return file_status_from(st);
}

Result<std::string> read_regular_file(const std::string& path, size_t max_bytes) {
  Fd fd = MSB_TRY(open_file(path, O_RDONLY | O_NONBLOCK | O_NOCTTY));
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return errno_error(errno, "fstat " + path);
  if (!S_ISREG(st.st_mode))
    return err(ErrorKind::kInvalidArgument, "{} is not a regular file", path);
  std::string data;
  char buffer[16384];
  // The size is checked as it is read: the file may grow after fstat.
  while (true) {
    size_t n = MSB_TRY(std::move(read_some(fd.get(), buffer)).context("read {}", path));
    if (n == 0) return data;
    if (data.size() + n > max_bytes) {
      return err(ErrorKind::kInvalidArgument, "{} is larger than {} bytes", path, max_bytes);
    }
    data.append(buffer, n);
  }
}

}  // namespace msb::os
