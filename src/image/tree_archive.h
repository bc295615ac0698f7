// A directory tree as one tar file and back, with everything a root filesystem layer holds:
// owners, modes, times, extended attributes (overlayfs's opaque markers among them), hard
// links, sparse files, and overlayfs whiteouts (0:0 character devices). The namespace
// engine's snapshots store a sandbox's writable layer this way.
#pragma once

#include <cstdint>
#include <string>

#include "common/error.h"

namespace msb::image {

// The host ids a tree's files carry: guest id n is host id base + n, for n < count. The
// archive holds guest ids, so it moves between hosts whose ranges differ.
struct TreeIds {
  uint32_t uid_base = 0;
  uint32_t gid_base = 0;
  uint32_t count = 0;
};

// Writes the tree under `dir` (not following symlinks, not crossing into other mounts) to
// a new pax tar at `out` (which must not exist). Entries are relative ("etc/passwd"; the
// root itself is "."). Errors: kInvalidArgument naming the file whose owner lies outside
// `ids`, or that is a socket or a device other than a whiteout; kNotFound, kIo.
// Returns the number of entries written.
Result<uint64_t> write_tree_archive(const std::string& dir, const std::string& out,
                                    const TreeIds& ids);

// Extracts an archive written by write_tree_archive into the existing directory `dir`
// (normally empty), shifting guest ids back to host ids. The archive is not trusted: an
// absolute name, a ".." component, a write through a symlink, an id >= ids.count, a device
// other than a whiteout, or a link to a name outside the tree is refused with
// kInvalidArgument naming the entry; what was extracted before stays (the caller removes
// `dir`). Errors also: kNotFound, kIo.
Result<void> extract_tree_archive(const std::string& archive_path, const std::string& dir,
                                  const TreeIds& ids);

}  // namespace msb::image
