// Pieces shared by every fs request: path checks, fs.error construction, file types, and
// the fs.write mode flags. Pure functions (no I/O); thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <tl/expected.hpp>

#include "common/error.h"
#include "protocol/messages.h"

namespace msb::agent {

// A value or the fs.error to send back.
template <class T>
using FsResult = tl::expected<T, protocol::FsError>;

// Chunks of fs.data the agent sends, and its copy buffer.
inline constexpr size_t kFsChunkBytes = 256 * 1024;
// Directory levels a recursive fs.remove or fs.copy descends: each open level holds one
// or two fds, so the bound keeps a hostile tree from exhausting them.
inline constexpr size_t kMaxTreeDepth = 256;

// The fs.error kind for an errno: not-found (ENOENT), not-a-directory (ENOTDIR),
// is-a-directory (EISDIR), permission-denied (EACCES, EPERM, EROFS), already-exists
// (EEXIST), not-empty (ENOTEMPTY), invalid-path (ENAMETOOLONG), io (EIO, ENOSPC, EDQUOT,
// EFBIG), else other.
std::string_view fs_error_kind(int sys_errno);

// "<op> <path>: <strerror>" with the kind from fs_error_kind; `path` goes in the path
// field, cut to 256 bytes in both (a reply must fit in a frame whatever the request held).
protocol::FsError fs_error(int sys_errno, std::string_view op, const std::string& path);
// As above with the errno of an os:: error (its own message is not used).
protocol::FsError fs_error(const Error& error, std::string_view op, const std::string& path);
// An error no errno describes: `kind`, errno_value `sys_errno` (may be 0), "<message>".
protocol::FsError fs_failure(std::string_view kind, int sys_errno, std::string message,
                             const std::string& path);

// nullopt when `path` is a usable request path: non-empty, absolute, without NUL bytes.
// Else an fs.error kind invalid-path (errno_value 0) that `field` ("path", "from", ...)
// names.
std::optional<protocol::FsError> check_path(const std::string& path,
                                            std::string_view field = "path");

// `path` with trailing slashes removed ("/" stays "/"), so that "dir/" names the entry
// itself rather than what a symlink there points to.
std::string strip_trailing_slashes(const std::string& path);

// The protocol's file type for st_mode: file, dir, symlink or other.
std::string type_name(uint32_t mode);

// The path cut to 256 bytes for messages.
std::string shown(const std::string& path);

// fs.write mode_flags: names from create, truncate, append and exclusive joined by ','.
// "" is "create,truncate"; "exclusive" implies "create".
struct WriteFlags {
  bool create = false;
  bool truncate = false;
  bool append = false;
  bool exclusive = false;
  bool operator==(const WriteFlags&) const = default;
};
// kInvalidArgument naming an unknown or empty name.
Result<WriteFlags> parse_write_flags(std::string_view text);
// open(2) flags for writing with `flags` (O_WRONLY plus O_CREAT, O_TRUNC, O_APPEND, O_EXCL).
int open_flags(const WriteFlags& flags);

}  // namespace msb::agent
