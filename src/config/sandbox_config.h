// SandboxConfig: the one description of a sandbox, filled by CLI flags, the config file and
// the SDK builder, stored as JSON, and checked by config::validate() (config/validate.h).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/error.h"
#include "config/root_disk.h"
#include "config/rootfs_patch.h"
#include "config/volume_mount.h"
#include "net/network_config.h"

namespace msb::config {

// When to pull the image from its registry. JSON names: "if-missing", "always", "never".
enum class PullPolicy { kIfMissing, kAlways, kNever };

// Where the sandbox's root filesystem comes from.
struct RootfsSource {
  // kImage: SandboxConfig::image; kBind: the host directory `path`; kDisk: the host disk
  // image file `path`, formatted as `fstype`.
  enum class Kind { kImage, kBind, kDisk } kind = Kind::kImage;
  std::string path;    // host directory (kBind) or host file (kDisk); unused for kImage
  std::string fstype;  // filesystem of a kDisk image; "" means ext4 (normalize() fills it)

  bool operator==(const RootfsSource&) const = default;
};

// Everything that describes one sandbox. A plain value: copyable, no invariants of its own;
// validate() checks it and normalize() fills the defaults that depend on other fields.
struct SandboxConfig {
  std::string name;
  std::string image = "base";  // OCI reference or built-in name; used when rootfs.kind == kImage
  RootfsSource rootfs;
  // The writable root layer: a disk (default) or a tmpfs, and its size (config/root_disk.h).
  RootDisk root_disk;
  uint32_t cpus = 1;
  uint32_t memory_mib = 512;
  std::vector<std::pair<std::string, std::string>> env;  // ordered; later wins on duplicate keys
  std::string workdir;                                   // "" = none (exec cwd defaults to "/")
  std::string user;                                      // "" = image default (root)
  // nullopt = derived from the name at normalize time; "" is an explicit (invalid) choice.
  std::optional<std::string> hostname;
  std::string shell = "/bin/sh";
  std::map<std::string, std::string> labels;
  std::vector<std::string> entrypoint;
  std::vector<std::string> cmd;
  PullPolicy pull_policy = PullPolicy::kIfMissing;
  bool replace = false;  // stop and remove a sandbox of the same name first
  uint32_t replace_timeout_ms = 10000;
  bool ephemeral = false;        // removed with its state when it stops
  bool detached = false;         // runs in the background after create
  std::string accel;             // "" = detect, "kvm", "tcg" (vm engine only)
  std::string isolation = "vm";  // engine: "vm" (microVM) or "namespace" (host kernel)
  // The image manifest the sandbox is pinned to ("sha256:..."), set at create after the
  // pull; "" for the built-in base image and for configs not yet created.
  std::string manifest_digest;
  // The disk snapshot the writable layer was made from at create (runtime/snapshots.h);
  // "" = an empty layer. Its image replaces `image`.
  std::string snapshot;
  // The NIC, its policy, published ports, DNS and limits (net/network_config.h).
  net::NetworkConfig network;
  // Volumes and tmpfs mounts (config/volume_mount.h), mounted parents first.
  std::vector<VolumeMount> mounts;
  // Files, directories and links written into the root at create, in order
  // (config/rootfs_patch.h).
  std::vector<RootfsPatch> patches;

  bool operator==(const SandboxConfig&) const = default;
};

// The config as compact JSON text (no whitespace, keys sorted, so equal configs give equal
// text). Every field is written, including defaults. env is an array of
// {"name": ..., "value": ...} objects to keep order and duplicates; rootfs is
// {"kind": "image"|"bind"|"disk", "path": ..., "fstype": ...}; root_disk is
// {"kind": "disk"|"tmpfs", "size_bytes": N} (config/root_disk.h); an absent hostname is null;
// network is the object of net::network_to_json() (rules as canonical text); mounts the
// array of mounts_to_json() (config/volume_mount.h); patches the array of patches_to_json()
// (config/rootfs_patch.h).
// Bytes that are not valid UTF-8 are written as U+FFFD, so such strings do not round trip.
// Never fails; thread-safe.
std::string to_json(const SandboxConfig& config);

// Parses the JSON form written by to_json(). Missing keys keep their defaults, unknown keys
// are ignored, null is a wrong type except for "hostname", where null or a missing key
// means absent and "" is an empty hostname (which validate() refuses). A config stored
// without "network" (before it existed) gets the network defaults, one without "root_disk" a
// disk of the default size (RootDisk{}). Returns kInvalidConfig
// "sandbox config: <what>" when the text is not JSON, not an object, or a field has the wrong type
// or an unknown enum value. Does not validate() the result. Never throws; thread-safe.
[[nodiscard]] Result<SandboxConfig> config_from_json(std::string_view text);

// "if-missing", "always" or "never". Thread-safe.
std::string_view pull_policy_name(PullPolicy policy);

// The inverse of pull_policy_name(); kInvalidConfig for any other text. Thread-safe.
[[nodiscard]] Result<PullPolicy> parse_pull_policy(std::string_view text);

// "image", "bind" or "disk". Thread-safe.
std::string_view rootfs_kind_name(RootfsSource::Kind kind);

// The inverse of rootfs_kind_name(); kInvalidConfig for any other text. Thread-safe.
[[nodiscard]] Result<RootfsSource::Kind> parse_rootfs_kind(std::string_view text);

}  // namespace msb::config
