#include "config/volume_mount.h"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

#include "common/shown.h"
#include "config/validate.h"

namespace msb::config {
namespace {

using nlohmann::json;

tl::unexpected<Error> invalid_mount(std::string_view target, std::string_view why) {
  return make_error(ErrorKind::kInvalidConfig,
                    fmt::format("invalid config: mount {}: {}", shown(target), why));
}

Result<void> validate_target(std::string_view target) {
  if (target == "/") return invalid_mount(target, "cannot mount over the guest's root");
  if (std::optional<std::string> why = guest_path_problem(target, "/data/cache"))
    return invalid_mount(target, *why);
  return {};
}

Result<void> validate_bind_source(const VolumeMount& mount) {
  const std::string& source = mount.source;
  if (source.empty() || source.front() != '/')
    return invalid_mount(mount.target,
                         fmt::format("host path '{}' must be absolute", shown(source)));
  if (source.find('\0') != std::string::npos)
    return invalid_mount(mount.target, "the host path must not contain NUL bytes");
  if (std::optional<std::string> why = host_path_problem(source, true, true))
    return invalid_mount(mount.target, *why);
  return {};
}

template <size_t N>
bool is_one_of(std::string_view value, const std::string_view (&known)[N]) {
  return std::find(std::begin(known), std::end(known), value) != std::end(known);
}

Result<void> validate_no_disk_options(const VolumeMount& mount) {
  if (!mount.format.empty() || !mount.fstype.empty())
    return invalid_mount(mount.target, "only a disk takes a format or fstype");
  return {};
}

Result<void> validate_disk(const VolumeMount& mount) {
  const std::string& source = mount.source;
  if (source.empty() || source.front() != '/' || source.find('\0') != std::string::npos)
    return invalid_mount(mount.target,
                         fmt::format("disk image '{}' must be an absolute path", shown(source)));
  if (std::optional<std::string> why = host_path_problem(source, false, true))
    return invalid_mount(mount.target, *why);
  if (!mount.format.empty() && !is_one_of(mount.format, kDiskFormats))
    return invalid_mount(mount.target,
                         fmt::format("disk format '{}': use raw or qcow2", shown(mount.format)));
  if (!mount.fstype.empty() && !is_one_of(mount.fstype, kDiskFilesystems))
    return invalid_mount(mount.target,
                         fmt::format("fstype '{}': use ext4, ext3 or ext2", shown(mount.fstype)));
  return {};
}

Result<void> validate_source(const VolumeMount& mount) {
  if (mount.kind != VolumeMount::Kind::kDisk) MSB_TRY(validate_no_disk_options(mount));
  switch (mount.kind) {
    case VolumeMount::Kind::kBind:
      MSB_TRY(validate_bind_source(mount));
      break;
    case VolumeMount::Kind::kNamed:
      if (Result<void> name = validate_name(mount.source); !name) {
        return invalid_mount(mount.target,
                             fmt::format("volume name '{}' must start with an alphanumeric and "
                                         "contain only alphanumerics, dots, hyphens and "
                                         "underscores (at most {} bytes)",
                                         shown(mount.source), kMaxNameBytes));
      }
      break;
    case VolumeMount::Kind::kTmpfs:
      if (!mount.source.empty()) return invalid_mount(mount.target, "a tmpfs takes no source");
      MSB_TRY(validate_no_disk_options(mount));
      return {};
    case VolumeMount::Kind::kDisk:
      MSB_TRY(validate_disk(mount));
      break;
  }
  if (mount.size_mib != 0) return invalid_mount(mount.target, "only a tmpfs takes a size");
  return {};
}

}  // namespace

std::string_view volume_kind_name(VolumeMount::Kind kind) {
  switch (kind) {
    case VolumeMount::Kind::kBind:
      return "bind";
    case VolumeMount::Kind::kNamed:
      return "named";
    case VolumeMount::Kind::kTmpfs:
      return "tmpfs";
    case VolumeMount::Kind::kDisk:
      return "disk";
  }
  MSB_CHECK(false);
}

Result<VolumeMount::Kind> parse_volume_kind(std::string_view text) {
  using Kind = VolumeMount::Kind;
  for (Kind kind : {Kind::kBind, Kind::kNamed, Kind::kTmpfs, Kind::kDisk}) {
    if (text == volume_kind_name(kind)) return kind;
  }
  return err(ErrorKind::kInvalidConfig, "unknown mount kind '{}': use bind, named, tmpfs or disk",
             shown(text));
}

Result<void> validate_mounts(const std::vector<VolumeMount>& mounts) {
  if (mounts.size() > kMaxMounts) {
    return make_error(
        ErrorKind::kInvalidConfig,
        fmt::format("invalid config: {} mounts, at most {}", mounts.size(), kMaxMounts));
  }
  std::set<std::string_view> targets;
  size_t target_bytes = 0;
  for (const VolumeMount& mount : mounts) {
    MSB_TRY(validate_target(mount.target));
    MSB_TRY(validate_source(mount));
    if (!targets.insert(mount.target).second)
      return invalid_mount(mount.target, "another mount has the same guest path");
    target_bytes += mount.target.size();
  }
  if (target_bytes > kMaxMountTargetBytes) {
    return make_error(ErrorKind::kInvalidConfig,
                      fmt::format("invalid config: the mounts' guest paths take {} bytes together, "
                                  "at most {}: use shorter or fewer paths",
                                  target_bytes, kMaxMountTargetBytes));
  }
  return {};
}

json mounts_to_json(const std::vector<VolumeMount>& mounts) {
  json list = json::array();
  for (const VolumeMount& mount : mounts) {
    list.push_back({{"kind", volume_kind_name(mount.kind)},
                    {"source", mount.source},
                    {"target", mount.target},
                    {"read_only", mount.read_only},
                    {"noexec", mount.noexec},
                    {"size_mib", mount.size_mib},
                    {"format", mount.format},
                    {"fstype", mount.fstype}});
  }
  return list;
}

namespace {

tl::unexpected<Error> bad_json(std::string_view what) {
  return make_error(ErrorKind::kInvalidConfig, fmt::format("sandbox config: mounts: {}", what));
}

template <class T>
Result<void> read_field(const json& object, const char* key, T& out) {
  auto found = object.find(key);
  if (found == object.end()) return {};
  bool right_type;
  if constexpr (std::is_same_v<T, bool>) {
    right_type = found->is_boolean();
  } else if constexpr (std::is_same_v<T, std::string>) {
    right_type = found->is_string();
  } else {
    right_type = found->is_number_unsigned();
  }
  if (!right_type) return bad_json(fmt::format("'{}' has the wrong type", key));
  out = found->get<T>();
  return {};
}

}  // namespace

Result<std::vector<VolumeMount>> mounts_from_json(const json& value) {
  if (!value.is_array()) return bad_json("not an array");
  std::vector<VolumeMount> mounts;
  for (const json& entry : value) {
    if (!entry.is_object()) return bad_json("an entry is not an object");
    VolumeMount mount;
    std::string kind = "bind";
    MSB_TRY(read_field(entry, "kind", kind));
    Result<VolumeMount::Kind> parsed = parse_volume_kind(kind);
    if (!parsed) return bad_json(parsed.error().message);
    mount.kind = *parsed;
    MSB_TRY(read_field(entry, "source", mount.source));
    MSB_TRY(read_field(entry, "target", mount.target));
    MSB_TRY(read_field(entry, "read_only", mount.read_only));
    MSB_TRY(read_field(entry, "noexec", mount.noexec));
    MSB_TRY(read_field(entry, "size_mib", mount.size_mib));
    MSB_TRY(read_field(entry, "format", mount.format));
    MSB_TRY(read_field(entry, "fstype", mount.fstype));
    mounts.push_back(std::move(mount));
  }
  return mounts;
}

}  // namespace msb::config
