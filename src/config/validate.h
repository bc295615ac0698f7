// The one set of input rules for a SandboxConfig, shared by the CLI, the config file and the
// SDK (docs/architecture.md, "Validation at the boundary"). Bad input gets a message that
// says what was wrong and what is allowed, before anything is created.
//
// Every function here is a pure check (validate() also stats the host path of a bind or disk
// rootfs), creates nothing, and is thread-safe. Failures are kInvalidConfig, with messages
// "invalid config: <what>" in the reference's words where it has them (its
// packages/microsandbox-types validation and SDK builder), our detail after them. Offending
// values are shown in messages with control bytes written as \xNN.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/error.h"
#include "config/sandbox_config.h"

namespace msb::config {

// Longest sandbox name, in bytes.
inline constexpr size_t kMaxNameBytes = 128;
// Longest hostname, in bytes (the kernel's __NEW_UTS_LEN).
inline constexpr size_t kMaxHostnameBytes = 64;
// Longest path that fits sockaddr_un::sun_path with its terminating NUL.
inline constexpr size_t kMaxSocketPathBytes = 107;

// 1-128 bytes of [A-Za-z0-9._-], the first a letter or digit. Messages "sandbox name must not
// be empty", "... must be at most 128 characters: got N", "... must start with an
// alphanumeric and contain only alphanumeric, dots, hyphens, and underscores: <name>".
[[nodiscard]] Result<void> validate_name(std::string_view name);
// The same rules for the name of another kind of object: "<noun> name must ...".
[[nodiscard]] Result<void> validate_name_of(std::string_view noun, std::string_view name);

// The agent socket lives at <msb_home>/run/<name>/agent.sock, which must fit sun_path (at
// most 107 bytes): "invalid config: sandbox name '<name>' is too long for MSB_HOME <home>: its
// socket path would be N bytes (at most 107)".
[[nodiscard]] Result<void> validate_socket_path(std::string_view msb_home, std::string_view name);

// 1-64 bytes, any bytes (as the reference: a 64-byte single label, "a_b" or "a b" pass).
// Messages "hostname must not be empty" and "hostname is too long: N bytes (max 64)".
[[nodiscard]] Result<void> validate_hostname(std::string_view hostname);

// Non-empty, without '=' or NUL, and not starting with "MSB_" (reserved: "environment
// variable "MSB_X" uses the reserved MSB_ prefix: ...").
[[nodiscard]] Result<void> validate_env_key(std::string_view key);

// "vm" or "namespace"; namespace isolation takes no accelerator (kInvalidConfig).
[[nodiscard]] Result<void> validate_isolation(std::string_view isolation, std::string_view accel);

// The key is non-empty, without NUL, and not under "sandbox.", "microsandbox." or "service."
// (reserved, case-sensitive: "label key 'k' uses reserved prefix 'p': ..."); the value has no
// NUL.
[[nodiscard]] Result<void> validate_label(std::string_view key, std::string_view value);

// An absolute path without NUL: "<what> must be an absolute guest path, got 'x'".
[[nodiscard]] Result<void> validate_guest_path(std::string_view what, std::string_view path);

// "/a/b": absolute, at least one part, no empty, "." or ".." part, no trailing '/'. The rule
// for mount targets and rootfs patch paths. Thread-safe.
bool is_normalized_guest_path(std::string_view path);

// Whether `path` is `dir` or lies below it ("/proc/x" is under "/proc", "/procx" is not).
bool is_path_under(std::string_view path, std::string_view dir);

// Why a mount or patch cannot go at guest path `path` (which is not "/": callers word
// that): "the guest path must not contain NUL bytes", "... must be absolute and normalized
// (like <example>: ...)", "/proc belongs to the guest's kernel" (also /sys, /dev).
// nullopt when it can. Thread-safe.
std::optional<std::string> guest_path_problem(std::string_view path, std::string_view example);

// What is wrong with host path `path` (absolute, stat follows symlinks) as a directory
// (`directory_ok`) or regular file (`file_ok`) to read from: "host path P does not exist",
// "host path P: <error>", "host path P is not a directory" / "is not a regular file" /
// "is neither a directory nor a regular file". nullopt when it is fine. Thread-safe.
std::optional<std::string> host_path_problem(const std::string& path, bool directory_ok,
                                             bool file_ok);

// Whether the config names a sandbox. kNamed: every stored sandbox. kUnnamed: a foreground
// `msb run` without --name, which is never stored and has no agent socket of its own: its
// empty name and the socket path are not checked; every other rule is.
enum class Naming { kNamed, kUnnamed };

// Checks every rule, in this order, and returns the first failure: name and socket path
// under `msb_home` (kNamed only), hostname (if set), cpus 1..64 and memory_mib 64..1048576
// (0: "cpus must be greater than 0: ..."), env keys (and values without NUL), labels, workdir (if
// set), shell, user without NUL, replace_timeout_ms at most one hour, accel "", "kvm" or "tcg",
// isolation "vm" or "namespace" (namespace takes no accel), the root disk
// (validate_root_disk() in config/root_disk.h: kUnsupported for a disk size on the namespace
// engine, the only failure here that is not kInvalidConfig), entrypoint and cmd arguments without
// NUL, the network (net::validate_network(): rules, ports, DNS, limits), the mounts
// (validate_mounts() in config/volume_mount.h), the patches (validate_patches() in
// config/rootfs_patch.h: pure, host sources are checked at create) and that no patch
// overlaps a mount (check_patches_outside_mounts()), then the rootfs: kImage
// needs a non-empty image without whitespace or control bytes; kBind needs an existing directory
// at path; kDisk an existing regular file and an fstype of "" (ext4), ext4, xfs, btrfs, erofs or
// squashfs. A derived hostname is not checked (see derive_hostname()).
[[nodiscard]] Result<void> validate(const SandboxConfig& config, std::string_view msb_home,
                                    Naming naming = Naming::kNamed);

// Fills the defaults that depend on other fields: hostname from name (derive_hostname()) when
// absent (never when ""), fstype "ext4" for a kDisk rootfs without one, and the root disk's
// default size (normalize_root_disk()). REQUIRES: validate()
// succeeded.
void normalize(SandboxConfig& config);

}  // namespace msb::config
