// The per-sandbox writable disk: a sparse ext4 image the agent mounts as the overlay's
// upper layer.
#pragma once

#include <cstdint>
#include <string>

#include "common/error.h"

namespace msb::engine::vm {

// The size of a sandbox's disk when its config asks for none: config::kDefaultRootDiskBytes
// (config/root_disk.h; the engine does not depend on the config library).
inline constexpr uint64_t kDefaultUpperDiskBytes = 4ULL << 30;
// Directories at the root of every upper disk: the overlay's upper and work directories.
inline constexpr const char* kUpperDiskUpperDir = "upper";
inline constexpr const char* kUpperDiskWorkDir = "work";

enum class UpperDiskJournal {
  kJournaled,  // a sandbox that boots again: consistent after a crash of the guest or host
  kNone,       // a disk deleted after one boot: no journal to write, mount or free
};

// Creates the upper disk at `path` (replacing any file there) as a sparse copy of an empty
// ext4 filesystem of `size_bytes`, labelled msb-upper, holding the empty upper and work
// directories. The filesystem is formatted once per (size, journal) into `template_dir`
// (mkfs.ext4 with lazy init, then debugfs; synced and renamed into place), and each disk
// copies its ~2 MB of metadata: ~1 ms against ~10 ms for running mkfs.ext4 each time. The
// copy is not synced, so a throwaway disk deleted after a short run frees no committed
// blocks (which wait for discard on a `discard`-mounted host). Every copy shares the
// template's filesystem UUID. kNotFound when mkfs.ext4 or debugfs is missing or the
// directory of `path` does not exist; kIo when formatting fails.
Result<void> create_upper_disk(const std::string& path, uint64_t size_bytes,
                               UpperDiskJournal journal, const std::string& template_dir);

// Grows the upper disk at `path` (of a stopped sandbox: nothing may have it open) to
// `new_bytes`: the file gets longer (sparse), then e2fsck -f -p and resize2fs grow its ext4
// filesystem offline. All of it happens on a sparse copy beside the disk, which replaces it
// only once the filesystem is grown and synced: a failure or a crash leaves the old disk as
// it was (the copy costs the disk's data, not its size). Errors: kInvalidConfig when
// new_bytes is not larger than the disk, kNotFound (no disk at `path`, or an e2fsprogs tool
// missing), kIo (a tool failed: its output is in the message). Not thread-safe for one path.
Result<void> grow_upper_disk(const std::string& path, uint64_t new_bytes);

// $MSB_HOME/cache/upper-disks: where the vm engine keeps its upper disk templates.
std::string default_upper_disk_template_dir();

}  // namespace msb::engine::vm
