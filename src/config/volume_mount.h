// The mounts a user asks for: `-v SRC:DST[:ro|rw][,noexec]`, `--mount-named NAME:DST`,
// `--tmpfs PATH[:SIZE]` and the SDK's SandboxBuilder::volume(). Part of SandboxConfig; the
// runtime turns each into an engine::VolumeSpec when it launches (docs/design/volumes.md).
#pragma once

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"

namespace msb::config {

struct VolumeMount {
  // kBind: a host directory or file; kNamed: a named volume (`msb volume`), created on first
  // use; kTmpfs: a fresh tmpfs, gone when the sandbox stops; kDisk: a host disk image whose
  // filesystem the sandbox mounts (`--mount-disk`).
  enum class Kind { kBind, kNamed, kTmpfs, kDisk } kind = Kind::kBind;
  // kBind: absolute host path; kNamed: the volume's name; kTmpfs: ""; kDisk: absolute path
  // of the image file.
  std::string source;
  std::string target;  // absolute guest path
  bool read_only = false;
  bool noexec = false;    // nosuid and nodev are always on
  uint64_t size_mib = 0;  // kTmpfs only; 0 = the kernel's default (half the memory)
  std::string format;     // kDisk only: "raw" or "qcow2" ("" = raw)
  std::string fstype;     // kDisk only: the filesystem in the image ("" = ext4)

  bool operator==(const VolumeMount&) const = default;
};

// Most mounts one sandbox may have.
inline constexpr size_t kMaxMounts = 32;
// Every target path together, in bytes: the vm engine hands them to its guest on the kernel
// command line (hex-encoded, so twice this), whose room is 2048 bytes in all.
inline constexpr size_t kMaxMountTargetBytes = 512;

// Disk image formats and filesystems a kDisk mount may name: what QEMU reads and what the
// guest kernel mounts (ext2 and ext3 through the ext4 driver).
inline constexpr std::string_view kDiskFormats[] = {"raw", "qcow2"};
inline constexpr std::string_view kDiskFilesystems[] = {"ext4", "ext3", "ext2"};

// "bind", "named", "tmpfs", "disk" and back. Errors: kInvalidConfig for other text. Thread-safe.
std::string_view volume_kind_name(VolumeMount::Kind kind);
[[nodiscard]] Result<VolumeMount::Kind> parse_volume_kind(std::string_view text);

// Checks each mount and the set, returning the first failure as kInvalidConfig "invalid
// config: mount <target>: <why>": a target that is not an absolute, normalized path
// ("/a/b": no "." or ".." parts, no doubled or trailing '/'), is "/", lies under /proc,
// /sys or /dev, holds a NUL byte, or repeats another mount's target; a bind source that
// is not an absolute path of an existing host directory or regular file (stat follows
// symlinks); a named source that is not a valid volume name (validate_name's rules); a
// tmpfs with a source, or a size on another kind; a disk whose source is not an existing
// host regular file, or whose format or fstype is not one of the above (or is given on
// another kind); more than kMaxMounts mounts or targets
// over kMaxMountTargetBytes together. Stats bind sources, creates nothing. Thread-safe.
[[nodiscard]] Result<void> validate_mounts(const std::vector<VolumeMount>& mounts);

// The JSON form in a stored config: {"kind", "source", "target", "read_only", "noexec",
// "size_mib", "format", "fstype"}; from_json keeps defaults for missing keys and fails
// (kInvalidConfig "sandbox config: mounts: ...") on wrong types or an unknown kind. Thread-safe.
nlohmann::json mounts_to_json(const std::vector<VolumeMount>& mounts);
[[nodiscard]] Result<std::vector<VolumeMount>> mounts_from_json(const nlohmann::json& value);

}  // namespace msb::config
