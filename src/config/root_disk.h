// The sandbox's writable root layer as a user sizes it: `--root-disk SIZE`,
// `--root-disk tmpfs[:SIZE]`, SandboxBuilder::root_disk() / root_disk_tmpfs(). Part of
// SandboxConfig; the engines turn it into an upper disk (vm), a host directory (namespace)
// or a tmpfs (both).
#pragma once

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>

#include "common/error.h"

namespace msb::config {

struct RootDisk {
  // kDisk: what survives a stop. vm: a sparse ext4 upper disk of size_bytes; namespace: a
  // host directory, which has no size (so only size_bytes 0 is accepted there).
  // kTmpfs: a tmpfs of size_bytes under the overlay, empty at every start.
  enum class Kind { kDisk, kTmpfs } kind = Kind::kDisk;
  // 0 = the default: kDefaultRootDiskBytes for a vm disk, half the memory for a tmpfs (as
  // the reference). normalize() writes the resolved size into a created sandbox's config.
  uint64_t size_bytes = 0;

  bool operator==(const RootDisk&) const = default;
};

inline constexpr uint64_t kBytesPerMib = uint64_t{1} << 20;
// The vm engine's upper disk when none is asked for (engine/vm/upper_disk.h uses this).
inline constexpr uint64_t kDefaultRootDiskBytes = uint64_t{4} << 30;
// Smaller disks spend most of their room on ext4's metadata and journal.
inline constexpr uint64_t kMinRootDiskBytes = 64 * kBytesPerMib;
// ext4 with 4 KiB blocks and the default features reaches 16 TiB; 2 TiB keeps a typo
// (8T for 8G) from making a disk the host cannot hold.
inline constexpr uint64_t kMaxRootDiskBytes = uint64_t{2} << 40;

// "disk" or "tmpfs", and back (kInvalidConfig for other text). Thread-safe.
std::string_view root_disk_kind_name(RootDisk::Kind kind);
[[nodiscard]] Result<RootDisk::Kind> parse_root_disk_kind(std::string_view text);

// The size the engine uses: size_bytes, or the default of its kind for 0 (a disk on the
// namespace engine has none: 0). Thread-safe.
uint64_t effective_root_disk_bytes(const RootDisk& disk, uint32_t memory_mib,
                                   std::string_view isolation);

// Checks, in order: a disk size (other than 0) is a whole number of MiB from 64 MiB to
// 2 TiB (kInvalidConfig "invalid config: root disk size ..."), and the namespace engine
// takes no disk size (kUnsupported: its layer is a host directory, which cannot be
// limited); a tmpfs size (other than 0) is from 1 MiB to the sandbox's memory
// (kInvalidConfig "invalid config: root tmpfs size ..."): its pages are the sandbox's
// memory. Pure; thread-safe.
[[nodiscard]] Result<void> validate_root_disk(const RootDisk& disk, uint32_t memory_mib,
                                              std::string_view isolation);

// Resolves a size of 0 to the default of its kind (see effective_root_disk_bytes()), so the
// stored config says what the sandbox got. REQUIRES: validate_root_disk() succeeded.
void normalize_root_disk(RootDisk& disk, uint32_t memory_mib, std::string_view isolation);

// For people: "4 GiB disk", "256 MiB tmpfs", "host directory (no size limit)". Thread-safe.
std::string describe_root_disk(const RootDisk& disk, uint32_t memory_mib,
                               std::string_view isolation);

// "1 GiB", "256 MiB", "1536 KiB", "100 bytes": the largest binary unit that divides the
// count. Thread-safe.
std::string format_size(uint64_t bytes);

// The JSON form in a stored config: {"kind": "disk"|"tmpfs", "size_bytes": N}. Missing keys
// keep their defaults; wrong types or an unknown kind are kInvalidConfig "sandbox config:
// root_disk...". Thread-safe.
nlohmann::json root_disk_to_json(const RootDisk& disk);
[[nodiscard]] Result<RootDisk> root_disk_from_json(const nlohmann::json& value);

}  // namespace msb::config
