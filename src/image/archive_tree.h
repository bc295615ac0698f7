// ArchiveTree: the files of an image archive (a `docker save` tar or an OCI image layout),
// given either as a tar, whose regular files are first extracted into a private staging
// directory, or as a directory read in place. Names are relative paths inside the archive;
// nothing is ever read from outside it.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "common/error.h"
#include "os/fd.h"
#include "os/file.h"

struct archive;

namespace msb::image {

// Limits on an untrusted archive.
inline constexpr size_t kMaxArchiveEntries = 100000;
inline constexpr size_t kMaxArchiveLinkHops = 16;

// The canonical relative form of a path in an archive ("./a//b/" -> "a/b"; "." -> "").
// kInvalidArgument for absolute paths and paths with ".." components: they would leave
// the archive.
Result<std::string> normalize_archive_path(std::string_view path);

class ArchiveTree {
 public:
  // Extracts the regular files of the tar `tar_path` (uncompressed, gzip or zstd) into a
  // new directory under `staging_parent` (removed with the tree). Symlinks and hardlinks
  // become aliases of the file they name, which must be inside the archive. Errors:
  // kInvalidArgument (not a tar, truncated or damaged, an entry escaping the archive, a
  // duplicate file, a device or fifo entry, too many entries), kNotFound, kIo.
  static Result<ArchiveTree> extract(const std::string& tar_path,
                                     const std::string& staging_parent);
  // The directory `dir` as it is (an OCI layout on disk). Errors: kNotFound, kIo.
  static Result<ArchiveTree> open_directory(const std::string& dir);

  ArchiveTree(ArchiveTree&&) = default;
  ArchiveTree& operator=(ArchiveTree&&) = default;

  // The archive the tree comes from, for messages.
  const std::string& source() const { return source_; }
  bool contains(std::string_view name) const;
  // The size of regular file `name`. Errors: kNotFound (absent, not a regular file, or
  // reached through a symlink in a directory layout), kInvalidArgument (bad name).
  Result<uint64_t> size(std::string_view name) const;
  // Opens regular file `name` read-only. Errors: those of size().
  Result<os::Fd> open(std::string_view name) const;
  // The whole of file `name`; kInvalidArgument when it is larger than `max_bytes`.
  Result<std::string> read_small(std::string_view name, size_t max_bytes) const;
  // Puts a copy of file `name` at `destination` (replacing it): moved there when the tree
  // was extracted into the same filesystem (then it is gone from the tree), else copied.
  Result<void> take(std::string_view name, const std::string& destination) const;

 private:
  ArchiveTree(std::string source, std::string root, os::Fd root_fd)
      : source_(std::move(source)), root_(std::move(root)), root_fd_(std::move(root_fd)) {}
  Result<std::string> resolve(std::string_view name) const;
  Result<void> stage_entries(archive* tar);

  std::string source_;
  std::optional<os::TempDir> staging_;  // set when extracted from a tar
  std::string root_;
  os::Fd root_fd_;
  std::map<std::string, std::string> aliases_;  // link name -> the name it stands for
};

}  // namespace msb::image
