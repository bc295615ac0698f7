// `--root-disk SIZE | tmpfs | tmpfs:SIZE` (msb run, msb create) and `--root-disk SIZE`
// (msb modify): the text of the flag as a config::RootDisk.
#pragma once

#include <cstdint>
#include <string_view>

#include "common/error.h"
#include "config/root_disk.h"

namespace msb::cli {

// A size as --root-disk takes it: digits for MiB ("512", as --tmpfs), or digits with a
// binary suffix ("512M", "8G", "1536K"; rate_text.h's parse_size). Zero is refused: it would
// read as "the default". kInvalidArgument "--root-disk '<text>': <why>". Thread-safe.
[[nodiscard]] Result<uint64_t> parse_root_disk_size(std::string_view text);

// "SIZE" is a disk of that size, "tmpfs" a tmpfs of the default size (half the memory),
// "tmpfs:SIZE" a tmpfs of that size. The bounds are validate()'s (config/root_disk.h).
// kInvalidArgument "--root-disk '<text>': <why>" otherwise. Thread-safe.
[[nodiscard]] Result<config::RootDisk> parse_root_disk_flag(std::string_view text);

}  // namespace msb::cli
