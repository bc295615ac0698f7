#include "config/validate.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <string>
#include <system_error>

#include "common/shown.h"
#include "config/hostname.h"
#include "net/network_config.h"

namespace msb::config {
namespace {

constexpr uint32_t kMaxCpus = 64;
constexpr uint32_t kMinMemoryMib = 64;
constexpr uint32_t kMaxMemoryMib = 1048576;  // 1 TiB
constexpr uint32_t kMaxReplaceTimeoutMs = 3600 * 1000;
constexpr std::array<std::string_view, 3> kReservedLabelPrefixes = {"sandbox.", "microsandbox.",
                                                                    "service."};
constexpr std::array<std::string_view, 5> kDiskFsTypes = {"ext4", "xfs", "btrfs", "erofs",
                                                          "squashfs"};

// Every failure reads "invalid config: <what>", as the reference's errors do.
tl::unexpected<Error> invalid(std::string_view message) {
  return make_error(ErrorKind::kInvalidConfig, fmt::format("invalid config: {}", message));
}

bool has_nul(std::string_view value) { return value.find('\0') != std::string_view::npos; }

bool is_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool is_name_char(char c) { return is_alnum(c) || c == '.' || c == '_' || c == '-'; }

// Whitespace and control bytes never appear in an OCI reference or a built-in name.
bool is_valid_image_text(std::string_view image) {
  return std::none_of(image.begin(), image.end(), [](char c) {
    auto byte = static_cast<unsigned char>(c);
    return byte <= 0x20 || byte == 0x7f;
  });
}

// Zero in the reference's words ("cpus must be greater than 0"), then the range we allow.
Result<void> validate_range(std::string_view what, uint64_t value, uint64_t low, uint64_t high,
                            std::string_view unit) {
  if (value >= low && value <= high) return {};
  if (value == 0) {
    return invalid(fmt::format("{} must be greater than 0: use {} to {}{}", what, low, high, unit));
  }
  return invalid(
      fmt::format("{} must be from {} to {}{}, got {}{}", what, low, high, unit, value, unit));
}

Result<void> validate_replace_timeout(uint32_t timeout_ms) {
  if (timeout_ms <= kMaxReplaceTimeoutMs) return {};
  return invalid(fmt::format("replace timeout must be at most {} ms (1 hour), got {} ms",
                             kMaxReplaceTimeoutMs, timeout_ms));
}

Result<void> validate_no_nul(std::string_view what, std::string_view value) {
  if (!has_nul(value)) return {};
  return invalid(fmt::format("{} must not contain NUL bytes, got '{}'", what, shown(value)));
}

Result<void> validate_env(const SandboxConfig& config) {
  for (const auto& [key, value] : config.env) {
    MSB_TRY(validate_env_key(key));
    MSB_TRY(validate_no_nul(fmt::format("environment variable '{}'", key), value));
  }
  return {};
}

Result<void> validate_labels(const SandboxConfig& config) {
  for (const auto& [key, value] : config.labels) MSB_TRY(validate_label(key, value));
  return {};
}

Result<void> validate_args(std::string_view what, const std::vector<std::string>& args) {
  for (size_t i = 0; i < args.size(); ++i) {
    MSB_TRY(validate_no_nul(fmt::format("{} argument {}", what, i), args[i]));
  }
  return {};
}

Result<void> validate_accel(std::string_view accel) {
  if (accel.empty() || accel == "kvm" || accel == "tcg") return {};
  return invalid(fmt::format("unknown accelerator '{}': use kvm, tcg or leave it empty to detect",
                             shown(accel)));
}

// Follows symlinks: what matters is what the engine will find at the path.
Result<void> validate_host_path(std::string_view what, const std::string& path,
                                std::filesystem::file_type wanted, std::string_view wanted_name) {
  if (path.empty()) return invalid(fmt::format("{} needs a host path", what));
  std::error_code error;
  std::filesystem::file_status status = std::filesystem::status(path, error);
  if (status.type() == std::filesystem::file_type::not_found) {
    return invalid(fmt::format("{} {}: does not exist", what, shown(path)));
  }
  if (error) return invalid(fmt::format("{} {}: {}", what, shown(path), error.message()));
  if (status.type() != wanted) {
    return invalid(fmt::format("{} {}: not a {}", what, shown(path), wanted_name));
  }
  return {};
}

Result<void> validate_disk_fstype(std::string_view fstype) {
  if (fstype.empty()) return {};
  if (std::find(kDiskFsTypes.begin(), kDiskFsTypes.end(), fstype) != kDiskFsTypes.end()) return {};
  return invalid(fmt::format(
      "disk rootfs filesystem '{}' is not supported: use ext4, xfs, btrfs, erofs or squashfs",
      shown(fstype)));
}

Result<void> validate_rootfs(const SandboxConfig& config) {
  using std::filesystem::file_type;
  switch (config.rootfs.kind) {
    case RootfsSource::Kind::kImage:
      if (config.image.empty()) {
        return invalid("image source is required: use an OCI reference or a built-in image name");
      }
      if (!is_valid_image_text(config.image)) {
        return invalid(
            fmt::format("image reference '{}' must not contain whitespace or control characters",
                        shown(config.image)));
      }
      return {};
    case RootfsSource::Kind::kBind:
      // The vm engine packs it into an erofs disk at every launch (engine/vm/boot.cc).
      return validate_host_path("bind rootfs", config.rootfs.path, file_type::directory,
                                "directory");
    case RootfsSource::Kind::kDisk: {
      MSB_TRY(validate_host_path("disk rootfs", config.rootfs.path, file_type::regular,
                                 "regular file"));
      MSB_TRY(validate_disk_fstype(config.rootfs.fstype));
      // The guest kernel has ext4 (which mounts ext2 and ext3) and erofs, nothing else.
      std::string fstype = config.rootfs.fstype.empty() ? "ext4" : config.rootfs.fstype;
      if (config.isolation == "vm" && fstype != "ext4" && fstype != "erofs")
        return make_error(ErrorKind::kUnsupported,
                          fmt::format("disk rootfs filesystem '{}': the vm engine's guest "
                                      "kernel mounts ext4 and erofs roots",
                                      shown(fstype)));
      return {};
    }
  }
  MSB_CHECK(false);
}

}  // namespace

Result<void> validate_isolation(std::string_view isolation, std::string_view accel) {
  if (isolation != "vm" && isolation != "namespace")
    return invalid(fmt::format("unknown isolation '{}': use vm or namespace", shown(isolation)));
  if (isolation == "namespace" && !accel.empty())
    return invalid("an accelerator applies to the vm engine only, not to namespace isolation");
  return {};
}

Result<void> validate_name(std::string_view name) { return validate_name_of("sandbox", name); }

Result<void> validate_name_of(std::string_view noun, std::string_view name) {
  if (name.empty()) return invalid(fmt::format("{} name must not be empty", noun));
  if (name.size() > kMaxNameBytes) {
    return invalid(fmt::format("{} name must be at most {} characters: got {}", noun, kMaxNameBytes,
                               name.size()));
  }
  if (is_alnum(name.front()) && std::all_of(name.begin(), name.end(), is_name_char)) return {};
  return invalid(
      fmt::format("{} name must start with an alphanumeric and contain only alphanumeric, dots, "
                  "hyphens, and underscores: {}",
                  noun, shown(name)));
}

Result<void> validate_socket_path(std::string_view msb_home, std::string_view name) {
  // <msb_home>/run/<name>/agent.sock
  size_t length = msb_home.size() + std::string_view("/run/").size() + name.size() +
                  std::string_view("/agent.sock").size();
  if (length <= kMaxSocketPathBytes) return {};
  return invalid(fmt::format(
      "sandbox name '{}' is too long for MSB_HOME {}: its socket path would be {} bytes (at most "
      "{})",
      shown(name), shown(msb_home), length, kMaxSocketPathBytes));
}

// Any bytes at all: the kernel takes them as they are (sethostname(2)), and they reach the
// guest as data, never as text of a command line (engine/vm/qemu_cmdline.h).
Result<void> validate_hostname(std::string_view hostname) {
  if (hostname.empty()) return invalid("hostname must not be empty");
  if (hostname.size() > kMaxHostnameBytes) {
    return invalid(
        fmt::format("hostname is too long: {} bytes (max {})", hostname.size(), kMaxHostnameBytes));
  }
  return {};
}

Result<void> validate_env_key(std::string_view key) {
  if (key.empty()) return invalid("environment variable name must not be empty");
  if (key.find('=') != std::string_view::npos || has_nul(key)) {
    return invalid(fmt::format("environment variable name '{}' must not contain '=' or NUL bytes",
                               shown(key)));
  }
  if (key.starts_with("MSB_")) {
    return invalid(fmt::format(
        "environment variable \"{}\" uses the reserved MSB_ prefix: microsandbox sets those",
        shown(key)));
  }
  return {};
}

Result<void> validate_label(std::string_view key, std::string_view value) {
  if (key.empty()) return invalid("label key must not be empty");
  if (has_nul(key)) {
    return invalid(fmt::format("label key '{}' must not contain NUL bytes", shown(key)));
  }
  for (std::string_view prefix : kReservedLabelPrefixes) {
    if (key.starts_with(prefix)) {
      return invalid(fmt::format(
          "label key '{}' uses reserved prefix '{}': sandbox., microsandbox. and service. are "
          "microsandbox's",
          shown(key), prefix));
    }
  }
  return validate_no_nul(fmt::format("label '{}' value", shown(key)), value);
}

bool is_normalized_guest_path(std::string_view path) {
  if (path.size() < 2 || path.front() != '/' || path.back() == '/') return false;
  size_t start = 1;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    std::string_view part = path.substr(start, end - start);
    if (part.empty() || part == "." || part == "..") return false;
    start = end + 1;
  }
  return true;
}

bool is_path_under(std::string_view path, std::string_view dir) {
  return path == dir ||
         (path.size() > dir.size() && path.starts_with(dir) && path[dir.size()] == '/');
}

std::optional<std::string> guest_path_problem(std::string_view path, std::string_view example) {
  if (path.find('\0') != std::string_view::npos) return "the guest path must not contain NUL bytes";
  if (!is_normalized_guest_path(path)) {
    return fmt::format(
        "the guest path must be absolute and normalized (like {}: no '.', '..', '//' or "
        "trailing '/')",
        example);
  }
  for (std::string_view reserved : {"/proc", "/sys", "/dev"}) {
    if (is_path_under(path, reserved))
      return fmt::format("{} belongs to the guest's kernel", reserved);
  }
  return std::nullopt;
}

std::optional<std::string> host_path_problem(const std::string& path, bool directory_ok,
                                             bool file_ok) {
  using std::filesystem::file_type;
  std::error_code error;
  std::filesystem::file_status status = std::filesystem::status(path, error);
  if (status.type() == file_type::not_found)
    return fmt::format("host path {} does not exist", shown(path));
  if (error) return fmt::format("host path {}: {}", shown(path), error.message());
  const bool is_directory = status.type() == file_type::directory;
  const bool is_file = status.type() == file_type::regular;
  if ((directory_ok && is_directory) || (file_ok && is_file)) return std::nullopt;
  if (directory_ok && file_ok)
    return fmt::format("host path {} is neither a directory nor a regular file", shown(path));
  return fmt::format("host path {} is not a {}", shown(path),
                     directory_ok ? "directory" : "regular file");
}

Result<void> validate_guest_path(std::string_view what, std::string_view path) {
  if (!path.starts_with('/')) {
    return invalid(fmt::format("{} must be an absolute guest path, got '{}'", what, shown(path)));
  }
  return validate_no_nul(what, path);
}

Result<void> validate(const SandboxConfig& config, std::string_view msb_home, Naming naming) {
  if (naming == Naming::kNamed) {
    MSB_TRY(validate_name(config.name));
    MSB_TRY(validate_socket_path(msb_home, config.name));
  }
  if (config.hostname) MSB_TRY(validate_hostname(*config.hostname));
  MSB_TRY(validate_range("cpus", config.cpus, 1, kMaxCpus, ""));
  MSB_TRY(validate_range("memory", config.memory_mib, kMinMemoryMib, kMaxMemoryMib, " MiB"));
  MSB_TRY(validate_env(config));
  MSB_TRY(validate_labels(config));
  if (!config.workdir.empty()) MSB_TRY(validate_guest_path("workdir", config.workdir));
  MSB_TRY(validate_guest_path("shell", config.shell));
  MSB_TRY(validate_no_nul("user", config.user));
  MSB_TRY(validate_replace_timeout(config.replace_timeout_ms));
  MSB_TRY(validate_accel(config.accel));
  MSB_TRY(validate_isolation(config.isolation, config.accel));
  MSB_TRY(validate_root_disk(config.root_disk, config.memory_mib, config.isolation));
  MSB_TRY(validate_args("entrypoint", config.entrypoint));
  MSB_TRY(validate_args("cmd", config.cmd));
  MSB_TRY(net::validate_network(config.network));
  MSB_TRY(validate_mounts(config.mounts));
  MSB_TRY(validate_patches(config.patches));
  MSB_TRY(check_patches_outside_mounts(config.patches, config.mounts));
  if (!config.snapshot.empty()) MSB_TRY(validate_name_of("snapshot", config.snapshot));
  for (const VolumeMount& mount : config.mounts) {
    if (mount.kind == VolumeMount::Kind::kDisk && mount.format == "qcow2" &&
        config.isolation == "namespace")
      return make_error(ErrorKind::kUnsupported,
                        fmt::format("mount {}: the namespace engine mounts raw disk images "
                                    "only; convert with `qemu-img convert -O raw` or use the "
                                    "vm engine",
                                    shown(mount.target)));
  }
  return validate_rootfs(config);
}

void normalize(SandboxConfig& config) {
  if (!config.hostname) config.hostname = derive_hostname(config.name);
  if (config.rootfs.kind == RootfsSource::Kind::kDisk && config.rootfs.fstype.empty()) {
    config.rootfs.fstype = "ext4";
  }
  normalize_root_disk(config.root_disk, config.memory_mib, config.isolation);
}

}  // namespace msb::config
