#include "os/fs_calls.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <memory>

#include "os/file_status.h"

namespace msb::os {
namespace {

// Runs `call` until it does not fail with EINTR; returns its result.
template <class Call>
auto retry(Call call) {
  for (;;) {
    auto result = call();
    if (result != -1 || errno != EINTR) return result;
  }
}

Result<void> check(int result, const char* call, const std::string& name) {
  if (result != 0) return errno_error(errno, std::string(call) + " " + name);
  return {};
}

timespec to_timespec(int64_t ns) {
  if (ns == kTimeNow) return timespec{0, UTIME_NOW};
  if (ns == kTimeOmit) return timespec{0, UTIME_OMIT};
  return timespec{static_cast<time_t>(ns / 1'000'000'000), static_cast<long>(ns % 1'000'000'000)};
}

struct DirCloser {
  void operator()(DIR* dir) const { ::closedir(dir); }
};

}  // namespace

Result<FileStatus> stat_at(int dir_fd, const std::string& name, bool follow) {
  struct stat st {};
  MSB_TRY(check(::fstatat(dir_fd, name.c_str(), &st, follow ? 0 : AT_SYMLINK_NOFOLLOW),
                follow ? "stat" : "lstat", name));
  return file_status_from(st);
}

Result<FileStatus> stat_fd(int fd) {
  struct stat st {};
  MSB_TRY(check(::fstat(fd, &st), "fstat", "fd " + std::to_string(fd)));
  return file_status_from(st);
}

Result<Fd> open_at(int dir_fd, const std::string& name, int flags, int mode) {
  int fd = retry([&] { return ::openat(dir_fd, name.c_str(), flags | O_CLOEXEC, mode); });
  if (fd < 0) return errno_error(errno, "open " + name);
  return Fd(fd);
}

Result<std::vector<std::string>> read_dir_names(int dir_fd) {
  // fdopendir takes over the fd it is given: give it a duplicate so ours stays open.
  int copy = ::fcntl(dir_fd, F_DUPFD_CLOEXEC, 0);
  if (copy < 0) return errno_error(errno, "dup directory fd");
  std::unique_ptr<DIR, DirCloser> dir(::fdopendir(copy));
  if (!dir) {
    int saved = errno;
    ::close(copy);
    return errno_error(saved, "fdopendir");
  }
  ::rewinddir(dir.get());  // the duplicate shares the offset of an fd read before
  std::vector<std::string> names;
  for (;;) {
    errno = 0;
    dirent* entry = ::readdir(dir.get());
    if (entry == nullptr) {
      if (errno != 0) return errno_error(errno, "readdir");
      return names;
    }
    std::string_view name = entry->d_name;
    if (name != "." && name != "..") names.emplace_back(name);
  }
}

Result<std::string> read_link_at(int dir_fd, const std::string& name) {
  // A symlink's size can change between lstat and readlink: grow until the target fits.
  std::string target(256, '\0');
  for (;;) {
    ssize_t n = ::readlinkat(dir_fd, name.c_str(), target.data(), target.size());
    if (n < 0) return errno_error(errno, "readlink " + name);
    if (static_cast<size_t>(n) < target.size()) {
      target.resize(static_cast<size_t>(n));
      return target;
    }
    target.resize(target.size() * 2);
  }
}

Result<std::string> resolve_path(const std::string& path) {
  std::unique_ptr<char, decltype(&::free)> resolved(::realpath(path.c_str(), nullptr), &::free);
  if (!resolved) return errno_error(errno, "realpath " + path);
  return std::string(resolved.get());
}

Result<void> make_dir_at(int dir_fd, const std::string& name, uint32_t mode) {
  return check(::mkdirat(dir_fd, name.c_str(), static_cast<mode_t>(mode)), "mkdir", name);
}

Result<void> unlink_at(int dir_fd, const std::string& name, bool directory) {
  int flags = directory ? AT_REMOVEDIR : 0;
  return check(::unlinkat(dir_fd, name.c_str(), flags), directory ? "rmdir" : "unlink", name);
}

Result<void> rename_at(int from_dir_fd, const std::string& from, int to_dir_fd,
                       const std::string& to) {
  return check(::renameat(from_dir_fd, from.c_str(), to_dir_fd, to.c_str()), "rename",
               from + " to " + to);
}

Result<void> symlink_at(const std::string& target, int dir_fd, const std::string& name) {
  return check(::symlinkat(target.c_str(), dir_fd, name.c_str()), "symlink", name);
}

Result<void> chmod_at(int dir_fd, const std::string& name, uint32_t mode) {
  return check(::fchmodat(dir_fd, name.c_str(), static_cast<mode_t>(mode), 0), "chmod", name);
}

Result<void> chmod_fd(int fd, uint32_t mode) {
  return check(::fchmod(fd, static_cast<mode_t>(mode)), "fchmod", "fd " + std::to_string(fd));
}

Result<void> chown_at(int dir_fd, const std::string& name, uint32_t uid, uint32_t gid,
                      bool follow) {
  int flags = follow ? 0 : AT_SYMLINK_NOFOLLOW;
  return check(::fchownat(dir_fd, name.c_str(), uid, gid, flags), "chown", name);
}

Result<void> set_times_at(int dir_fd, const std::string& name, int64_t atime_ns, int64_t mtime_ns,
                          bool follow) {
  timespec times[2] = {to_timespec(atime_ns), to_timespec(mtime_ns)};
  int flags = follow ? 0 : AT_SYMLINK_NOFOLLOW;
  return check(::utimensat(dir_fd, name.c_str(), times, flags), "utimensat", name);
}

Result<size_t> read_at_offset(int fd, std::span<char> buffer, uint64_t offset) {
  ssize_t n =
      retry([&] { return ::pread(fd, buffer.data(), buffer.size(), static_cast<off_t>(offset)); });
  if (n < 0) return errno_error(errno, "pread");
  return static_cast<size_t>(n);
}

Result<void> write_all_at(int fd, std::string_view data, uint64_t offset) {
  while (!data.empty()) {
    ssize_t wrote = ::pwrite(fd, data.data(), data.size(), static_cast<off_t>(offset));
    if (wrote < 0 && errno == EINTR) continue;
    if (wrote < 0) return errno_error(errno, "pwrite");
    data.remove_prefix(static_cast<size_t>(wrote));
    offset += static_cast<uint64_t>(wrote);
  }
  return {};
}

Result<void> truncate_fd(int fd, uint64_t size) {
  if (::ftruncate(fd, static_cast<off_t>(size)) != 0) return errno_error(errno, "ftruncate");
  return {};
}

Result<void> sync_fd(int fd) {
  return check(retry([&] { return ::fsync(fd); }), "fsync", "fd " + std::to_string(fd));
}

Result<void> make_node_at(int dir_fd, const std::string& name, uint32_t mode, uint64_t device) {
  return check(
      ::mknodat(dir_fd, name.c_str(), static_cast<mode_t>(mode), static_cast<dev_t>(device)),
      "mknod", name);
}

Result<Fd> open_beneath(int root_fd, const std::string& path, int flags, int mode) {
  open_how how{};
  how.flags = static_cast<uint64_t>(flags | O_CLOEXEC);
  how.mode = (flags & (O_CREAT | O_TMPFILE)) ? static_cast<uint64_t>(mode) : 0;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
  long fd = retry([&] { return ::syscall(SYS_openat2, root_fd, path.c_str(), &how, sizeof how); });
  if (fd < 0) return errno_error(errno, "open " + path + " beneath its root");
  return Fd(static_cast<int>(fd));
}

Result<void> sync_filesystem(int fd) {
  return check(::syncfs(fd), "syncfs", "fd " + std::to_string(fd));
}

}  // namespace msb::os
