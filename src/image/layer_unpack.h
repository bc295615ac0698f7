// Unpacking one OCI layer blob into a directory that overlayfs can use as a lower layer.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "common/error.h"
#include "image/byte_source.h"

namespace msb::image {

// Unpacks the layer blob at `blob_path` (a tar, gzip- or zstd-compressed or not, detected
// from the content) into the existing directory `root`, and checks that the sha256 of the
// uncompressed tar equals `diff_id`.
//   - Regular files, directories, hardlinks, symlinks (targets stored as given, absolute
//     ones too: they resolve inside the sandbox), device nodes and fifos are created with
//     their modes (setuid included), numeric uid/gid, mtimes and xattrs.
//   - OCI whiteouts become overlayfs whiteouts (see whiteout.h).
//   - SECURITY: an entry that would leave the filesystem of `root` nearly full stops the
//     unpack (space_guard.h: a decompression bomb fails with ENOSPC, the host keeps room).
//   - SECURITY: nothing is written outside `root`: absolute names land inside it, a ".."
//     that climbs out fails the unpack, and no entry (nor hardlink target) is created
//     through a symlink. trusted.overlay.* xattrs in the tar are dropped, so a layer cannot
//     forge overlayfs metadata.
// `progress` (may be empty) is called with the blob bytes consumed so far. On error `root`
// holds a partial tree that the caller discards. Errors: kInvalidArgument (damaged,
// truncated or hostile archive), kIntegrity "diff_id mismatch: expected X, got Y", kinds from
// errno. REQUIRES: root privileges (ownership, device nodes, trusted xattrs). Thread-safe
// (distinct roots).
Result<void> unpack_layer(const std::string& blob_path, const std::string& root,
                          const std::string& diff_id,
                          const std::function<void(uint64_t)>& progress);
// The same, reading the blob from `source` (e.g. one still downloading: growing_file.h).
// Errors: also those of the source (the unpack stops at the first).
Result<void> unpack_layer(std::unique_ptr<ByteSource> source, const std::string& root,
                          const std::string& diff_id);

}  // namespace msb::image
