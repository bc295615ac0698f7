// Rootfs patches: files, directories and links written into a sandbox's root at create,
// before anything of the user's runs (`msb create --copy/--mkdir/--rm`, the SDK's
// SandboxBuilder::patch()). Part of SandboxConfig; applied once by runtime/rootfs_patches.h
// through the agent, so that paths resolve as the guest sees them. The writable layer keeps
// the result, so later starts do not apply them again (docs/design/volumes.md).
#pragma once

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "config/volume_mount.h"

namespace msb::config {

struct RootfsPatch {
  // kCopyFile / kCopyDir: the host file or tree `source` to `path`; kText / kFile: a file
  // holding `content`; kMkdir: a directory (and its missing parents); kSymlink: a link at
  // `path` to `target`; kAppend: `content` added to the end of a file (created if missing);
  // kRemove: `path` and everything under it (nothing if it does not exist).
  enum class Kind { kCopyFile, kCopyDir, kText, kFile, kMkdir, kSymlink, kAppend, kRemove };
  Kind kind = Kind::kText;
  std::string path;     // absolute, normalized guest path
  std::string source;   // kCopyFile / kCopyDir: absolute host path
  std::string target;   // kSymlink: stored as given (may be relative)
  std::string content;  // kText / kFile / kAppend: any bytes
  // Permission bits (<= 07777) of what the patch creates; nullopt: 0644 for files, 0755
  // for directories, the host's bits for copies. Not for kSymlink or kRemove.
  std::optional<uint32_t> mode;
  std::optional<uint32_t> uid;  // owner of what the patch creates; nullopt: root (0)
  std::optional<uint32_t> gid;
  // false: the patch fails when `path` already exists (kText, kFile, kCopyFile, kCopyDir,
  // kSymlink, kMkdir). kAppend and kRemove ignore it.
  bool replace = true;

  bool operator==(const RootfsPatch&) const = default;
};

// Most patches one sandbox may have.
inline constexpr size_t kMaxPatches = 256;
// The content of every kText, kFile and kAppend patch together (copies are not counted:
// they stream from the host at create and are not stored in the config).
inline constexpr size_t kMaxPatchContentBytes = 16u << 20;

// "copy_file", "copy_dir", "text", "file", "mkdir", "symlink", "append", "remove" and back.
// Errors: kInvalidConfig for other text. Thread-safe.
std::string_view patch_kind_name(RootfsPatch::Kind kind);
[[nodiscard]] Result<RootfsPatch::Kind> parse_patch_kind(std::string_view text);

// "patch <index> (<kind> <path>)": how errors name a patch.
std::string describe_patch(size_t index, const RootfsPatch& patch);

// Checks each patch and the list, returning the first failure as kInvalidConfig "invalid
// config: patch <index> (<kind> <path>): <why>": a path that is not absolute and normalized
// (is_normalized_guest_path()), is "/", lies under /proc, /sys or /dev, or holds a NUL byte;
// a copy without an absolute host source, or a source on another kind; a symlink without a
// target (or a target holding NUL); content on a kind that takes none; a mode over 07777 or
// on a symlink or remove; an owner on a remove; more than kMaxPatches patches or over
// kMaxPatchContentBytes of content. Pure: the host is not looked at (check_patch_sources()
// does that, at create only: a stored config keeps its patches after their sources are
// gone). Thread-safe.
[[nodiscard]] Result<void> validate_patches(const std::vector<RootfsPatch>& patches);

// SECURITY: patches apply after the sandbox's volumes are mounted, so a patch at or under a
// mount target would write into the volume (a host directory), and a remove (or a
// copy_dir replacing a directory) above one would delete the volume's files. Either overlap
// is kInvalidConfig "invalid config: patch <index> (...): overlaps the mount at <target>;
// patches change the root filesystem only". Thread-safe.
[[nodiscard]] Result<void> check_patches_outside_mounts(const std::vector<RootfsPatch>& patches,
                                                        const std::vector<VolumeMount>& mounts);

// Stats the host source of each copy: kInvalidConfig "invalid config: patch <index> (...):
// host path <p> does not exist" (or "is not a regular file" / "is not a directory"; stat
// follows symlinks). Thread-safe.
[[nodiscard]] Result<void> check_patch_sources(const std::vector<RootfsPatch>& patches);

// The JSON form in a stored config: {"kind", "path", "source", "target", "content_base64",
// "mode" ("0644": four octal digits, or null), "uid", "gid" (or null), "replace"};
// from_json keeps defaults for missing keys and fails (kInvalidConfig "sandbox config:
// patches: ...") on wrong types, an unknown kind, bad base64 or a bad mode. Thread-safe.
nlohmann::json patches_to_json(const std::vector<RootfsPatch>& patches);
[[nodiscard]] Result<std::vector<RootfsPatch>> patches_from_json(const nlohmann::json& value);

}  // namespace msb::config
