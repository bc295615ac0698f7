// OCI whiteouts turned into what overlayfs understands, in an unpacked layer directory.
#pragma once

#include <string>
#include <string_view>

#include "common/error.h"

namespace msb::image {

inline constexpr std::string_view kWhiteoutPrefix = ".wh.";
inline constexpr std::string_view kOpaqueMarker = ".wh..wh..opq";
inline constexpr char kOpaqueXattr[] = "trusted.overlay.opaque";

// True when the cleaned entry path names a whiteout (its last component starts ".wh.").
bool is_whiteout(std::string_view path);

// Applies the whiteout entry at the cleaned path `path` in the layer root `root_fd`:
// "DIR/.wh..wh..opq" sets trusted.overlay.opaque=y on DIR; "DIR/.wh.NAME" makes NAME a
// character device 0:0 (replacing a non-directory of that name); other ".wh..wh." names
// (aufs bookkeeping) are ignored. Missing directories on the way are created (0755).
// SECURITY: every directory is opened beneath the root without following symlinks.
// Errors: kInvalidArgument for a bad NAME or a whiteout over a directory of this layer,
// kinds from errno otherwise. Thread-safe.
Result<void> apply_whiteout(int root_fd, const std::string& path);

}  // namespace msb::image
