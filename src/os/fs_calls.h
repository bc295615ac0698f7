// File-system calls for code that walks and edits trees it does not trust: the *at family
// (relative to a directory fd, so a walk never re-resolves a path), stat with or without
// following a final symlink, and exact-mode creation. Every call retries EINTR, opens with
// O_CLOEXEC, and fails with the errno kept in Error::sys_errno (kind from errno) and a
// message "<call> <name>: <strerror>". Pass AT_FDCWD as `dir_fd` for a path. Thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "os/fd.h"
#include "os/file_status.h"

namespace msb::os {

// fstatat(2): `follow` false describes a final symlink itself (like lstat).
Result<FileStatus> stat_at(int dir_fd, const std::string& name, bool follow);
// fstat(2).
Result<FileStatus> stat_fd(int fd);

// openat(2) with O_CLOEXEC added; `mode` is used with O_CREAT (and the umask applies).
Result<Fd> open_at(int dir_fd, const std::string& name, int flags, int mode = 0);

// Every name in the directory open at `dir_fd` except "." and "..", in directory order,
// read from its start. `dir_fd` stays open and owned by the caller.
Result<std::vector<std::string>> read_dir_names(int dir_fd);

// readlinkat(2): the whole target, however long. EINVAL when `name` is not a symlink.
Result<std::string> read_link_at(int dir_fd, const std::string& name);
// realpath(3): the absolute path with every symlink, "." and ".." resolved.
Result<std::string> resolve_path(const std::string& path);

// mkdirat(2); unlike make_dir(), EEXIST is an error.
Result<void> make_dir_at(int dir_fd, const std::string& name, uint32_t mode);
// unlinkat(2): `directory` removes an empty directory (AT_REMOVEDIR). A directory
// removed as a file fails with EISDIR (Linux).
Result<void> unlink_at(int dir_fd, const std::string& name, bool directory);
// renameat(2).
Result<void> rename_at(int from_dir_fd, const std::string& from, int to_dir_fd,
                       const std::string& to);
// symlinkat(2): creates `name` pointing at `target` (stored as given); EEXIST is an error.
Result<void> symlink_at(const std::string& target, int dir_fd, const std::string& name);

// fchmodat(2) (always follows a final symlink: Linux has no lchmod) and fchmod(2).
Result<void> chmod_at(int dir_fd, const std::string& name, uint32_t mode);
Result<void> chmod_fd(int fd, uint32_t mode);
// fchownat(2); kKeepId leaves the uid or gid as it is.
inline constexpr uint32_t kKeepId = static_cast<uint32_t>(-1);
Result<void> chown_at(int dir_fd, const std::string& name, uint32_t uid, uint32_t gid, bool follow);

// utimensat(2) with times in nanoseconds since the Unix epoch, or one of these.
inline constexpr int64_t kTimeNow = -1;
inline constexpr int64_t kTimeOmit = -2;
Result<void> set_times_at(int dir_fd, const std::string& name, int64_t atime_ns, int64_t mtime_ns,
                          bool follow);

// pread(2): one read at `offset`; 0 at end of file.
Result<size_t> read_at_offset(int fd, std::span<char> buffer, uint64_t offset);
// pwrite(2) until all of `data` is written at `offset`.
Result<void> write_all_at(int fd, std::string_view data, uint64_t offset);
// ftruncate(2).
Result<void> truncate_fd(int fd, uint64_t size);
// fsync(2).
Result<void> sync_fd(int fd);

// mknodat(2): `mode` carries the file type (S_IFCHR, S_IFBLK, S_IFIFO) and permissions
// (the umask applies); `device` is a makedev() number. EEXIST is an error.
Result<void> make_node_at(int dir_fd, const std::string& name, uint32_t mode, uint64_t device);

// SECURITY: openat2(2) of the relative `path` under `root_fd` with RESOLVE_BENEATH and
// RESOLVE_NO_SYMLINKS: fails (ELOOP, EXDEV) rather than leave the tree through "..", an
// absolute path or any symlink, even one that points inside. O_CLOEXEC is added.
Result<Fd> open_beneath(int root_fd, const std::string& path, int flags, int mode = 0);

// syncfs(2): flushes the whole filesystem that holds `fd` (one call instead of an fsync
// per file when publishing a freshly written tree).
Result<void> sync_filesystem(int fd);

}  // namespace msb::os
