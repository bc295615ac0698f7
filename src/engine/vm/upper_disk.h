// The per-sandbox writable disk: a sparse ext4 image the agent mounts as the overlay's
// upper layer.
#pragma once

#include <cstdint>
#include <string>

#include "common/error.h"

namespace msb::engine::vm {

inline constexpr uint64_t kDefaultUpperDiskBytes = 4ULL << 30;

enum class UpperDiskJournal {
  kJournaled,  // a sandbox that boots again: consistent after a crash of the guest or host
  kNone,       // a disk deleted after one boot: no journal to write, mount or free
};

// Creates a sparse file of `size_bytes` at `path` and formats it ext4 (mkfs.ext4 with
// lazy init: a few ms, a few MB on disk). kNotFound when mkfs.ext4 is missing.
Result<void> create_upper_disk(const std::string& path, uint64_t size_bytes,
                               UpperDiskJournal journal = UpperDiskJournal::kJournaled);

}  // namespace msb::engine::vm
