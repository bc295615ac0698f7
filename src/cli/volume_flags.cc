#include "cli/volume_flags.h"

#include <filesystem>
#include <system_error>

#include "cli/rate_text.h"
#include "common/shown.h"
#include "common/split.h"

namespace msb::cli {
namespace {

using config::VolumeMount;

tl::unexpected<Error> bad_flag(std::string_view flag, std::string_view text,
                               std::string_view what) {
  return err(ErrorKind::kInvalidArgument, "{} '{}': {}", flag, shown(text), what);
}

bool is_host_path(std::string_view source) {
  return source.starts_with('/') || source.starts_with('.') ||
         source.find('/') != std::string_view::npos;
}

Result<void> apply_options(std::string_view flag, std::string_view text, std::string_view options,
                           VolumeMount& mount) {
  for (std::string_view option : split(options, ',')) {
    bool disk = mount.kind == VolumeMount::Kind::kDisk;
    if (disk && option.starts_with("format=")) {
      mount.format = std::string(option.substr(7));
    } else if (disk && option.starts_with("fstype=")) {
      mount.fstype = std::string(option.substr(7));
    } else if (option == "ro") {
      mount.read_only = true;
    } else if (option == "rw") {
      mount.read_only = false;
    } else if (option == "noexec") {
      mount.noexec = true;
    } else if (option != "nosuid" && option != "nodev") {
      return bad_flag(
          flag, text,
          fmt::format("unknown option '{}': use ro, rw, noexec, nosuid or nodev", shown(option)));
    }
  }
  return {};
}

// SRC:DST[:OPTS] into `mount` (kind already chosen by the caller, source as written).
Result<void> split_mount(std::string_view flag, std::string_view text, VolumeMount& mount) {
  std::vector<std::string_view> parts = split(text, ':');
  if (parts.size() < 2 || parts.size() > 3 || parts[0].empty() || parts[1].empty())
    return bad_flag(flag, text, "expected SOURCE:GUEST_PATH[:OPTIONS]");
  mount.source = std::string(parts[0]);
  mount.target = std::string(parts[1]);
  if (parts.size() == 3) MSB_TRY(apply_options(flag, text, parts[2], mount));
  return {};
}

}  // namespace

Result<std::string> absolute_host_path(std::string_view flag, std::string_view text,
                                       std::string_view source) {
  std::error_code error;
  std::filesystem::path path = std::filesystem::absolute(std::string(source), error);
  if (error) return bad_flag(flag, text, "cannot make the host path absolute: " + error.message());
  std::string normal = path.lexically_normal().string();
  if (normal.size() > 1 && normal.back() == '/') normal.pop_back();
  return normal;
}

Result<VolumeMount> parse_volume_flag(std::string_view text) {
  VolumeMount mount;
  MSB_TRY(split_mount("-v", text, mount));
  if (is_host_path(mount.source)) {
    mount.kind = VolumeMount::Kind::kBind;
    mount.source = MSB_TRY(absolute_host_path("-v", text, mount.source));
  } else {
    mount.kind = VolumeMount::Kind::kNamed;
  }
  return mount;
}

Result<VolumeMount> parse_named_mount_flag(std::string_view text) {
  VolumeMount mount;
  mount.kind = VolumeMount::Kind::kNamed;
  MSB_TRY(split_mount("--mount-named", text, mount));
  return mount;
}

Result<VolumeMount> parse_disk_mount_flag(std::string_view text) {
  VolumeMount mount;
  mount.kind = VolumeMount::Kind::kDisk;
  MSB_TRY(split_mount("--mount-disk", text, mount));
  mount.source = MSB_TRY(absolute_host_path("--mount-disk", text, mount.source));
  return mount;
}

Result<VolumeMount> parse_tmpfs_flag(std::string_view text) {
  std::vector<std::string_view> parts = split(text, ':');
  if (parts.size() > 2 || parts[0].empty())
    return bad_flag("--tmpfs", text, "expected GUEST_PATH[:SIZE]");
  VolumeMount mount;
  mount.kind = VolumeMount::Kind::kTmpfs;
  mount.target = std::string(parts[0]);
  if (parts.size() == 2) {
    std::string_view size = parts[1];
    constexpr uint64_t kMib = 1024 * 1024;
    Result<uint64_t> mib = parse_count(size);
    if (mib) {
      mount.size_mib = *mib;
    } else {
      Result<uint64_t> bytes = parse_size(size);
      if (!bytes) return bad_flag("--tmpfs", text, "expected a size such as 64 (MiB), 512K or 1G");
      mount.size_mib = *bytes / kMib + (*bytes % kMib != 0 ? 1 : 0);
    }
    if (mount.size_mib == 0) return bad_flag("--tmpfs", text, "the size must be at least 1 MiB");
  }
  return mount;
}

void VolumeFlags::add_to(CLI::App& app) {
  app.add_option("-v,--volume", volumes_,
                 "Mount HOST_PATH or a named volume: SOURCE:GUEST_PATH[:ro|rw][,noexec] "
                 "(repeatable)");
  app.add_option("--mount-named", named_,
                 "Mount a named volume, created on first use: NAME:GUEST_PATH[:ro|rw][,noexec]");
  app.add_option("--tmpfs", tmpfs_, "Mount a fresh tmpfs: GUEST_PATH[:SIZE] (SIZE in MiB or 1G)");
  app.add_option("--mount-disk", disks_,
                 "Mount a disk image's filesystem: IMAGE:GUEST_PATH[:ro,format=raw|qcow2,"
                 "fstype=ext4|ext3|ext2]");
}

Result<std::vector<VolumeMount>> VolumeFlags::to_mounts() const {
  std::vector<VolumeMount> mounts;
  for (const std::string& text : volumes_) mounts.push_back(MSB_TRY(parse_volume_flag(text)));
  for (const std::string& text : named_) mounts.push_back(MSB_TRY(parse_named_mount_flag(text)));
  for (const std::string& text : tmpfs_) mounts.push_back(MSB_TRY(parse_tmpfs_flag(text)));
  for (const std::string& text : disks_) mounts.push_back(MSB_TRY(parse_disk_mount_flag(text)));
  return mounts;
}

}  // namespace msb::cli
