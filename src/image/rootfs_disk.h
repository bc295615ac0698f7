// The root filesystem of an image as one read-only erofs disk, for the vm engine: the
// guest mounts it as the lower layer of its overlay.
#pragma once

#include <string>
#include <vector>

#include "common/error.h"
#include "image/cache_files.h"

namespace msb::image {

// The path of <cache_dir>/rootfs/<manifest hex>.erofs, built first unless present: the
// unpacked layer directories `layer_dirs` (lowest first) are merged by a read-only
// overlayfs mount on a temporary directory, so whiteouts and opaque directories take
// effect (files deleted by upper layers are absent, no whiteout is left), and the merged
// tree is packed by mkfs.erofs with ownership, modes, mtimes and xattrs. Built under a
// per-manifest lock into a temporary file published by rename; leftovers of a crashed
// build are unmounted and removed first. `fault` is the test seam (steps "mounted",
// "built", "rename", "sync-dir"). Errors: kInvalidArgument (bad digest, no layers), kNotFound
// (mkfs.erofs missing: apt-get install erofs-utils), kPermissionDenied (not root), kIo
// (mkfs.erofs failed). REQUIRES: root (mount). Thread-safe.
Result<std::string> ensure_rootfs_disk(const std::string& cache_dir,
                                       const std::string& manifest_digest,
                                       const std::vector<std::string>& layer_dirs,
                                       const FaultPoint& fault = {});

// Packs the host directory `dir` as it is now into a new read-only erofs disk at `image`
// (mkfs.erofs with ownership, modes, mtimes and xattrs; through a temporary sibling renamed
// into place): a directory root for the vm engine. Errors: kNotFound (mkfs.erofs missing:
// apt-get install erofs-utils), kIo (mkfs.erofs failed, with its output).
Result<void> pack_directory_disk(const std::string& dir, const std::string& image);

}  // namespace msb::image
