#include "config/rootfs_patch.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "common/base64.h"
#include "common/shown.h"
#include "config/validate.h"

namespace msb::config {
namespace {

using nlohmann::json;
using Kind = RootfsPatch::Kind;

constexpr uint32_t kMaxMode = 07777;
constexpr Kind kAllKinds[] = {Kind::kCopyFile, Kind::kCopyDir, Kind::kText,   Kind::kFile,
                              Kind::kMkdir,    Kind::kSymlink, Kind::kAppend, Kind::kRemove};

tl::unexpected<Error> invalid_patch(size_t index, const RootfsPatch& patch, std::string_view why) {
  return make_error(ErrorKind::kInvalidConfig,
                    fmt::format("invalid config: {}: {}", describe_patch(index, patch), why));
}

bool is_copy(Kind kind) { return kind == Kind::kCopyFile || kind == Kind::kCopyDir; }
bool takes_content(Kind kind) {
  return kind == Kind::kText || kind == Kind::kFile || kind == Kind::kAppend;
}

Result<void> validate_path(size_t index, const RootfsPatch& patch) {
  if (patch.path == "/") return invalid_patch(index, patch, "cannot patch the guest's root itself");
  if (std::optional<std::string> why = guest_path_problem(patch.path, "/etc/app.conf"))
    return invalid_patch(index, patch, *why);
  return {};
}

Result<void> validate_fields(size_t index, const RootfsPatch& patch) {
  if (is_copy(patch.kind)) {
    if (patch.source.empty() || patch.source.front() != '/' ||
        patch.source.find('\0') != std::string::npos)
      return invalid_patch(index, patch,
                           fmt::format("host path '{}' must be absolute", shown(patch.source)));
  } else if (!patch.source.empty()) {
    return invalid_patch(index, patch, "only a copy takes a host path");
  }
  if (patch.kind == Kind::kSymlink) {
    if (patch.target.empty() || patch.target.find('\0') != std::string::npos)
      return invalid_patch(index, patch, "a symlink needs a target without NUL bytes");
  } else if (!patch.target.empty()) {
    return invalid_patch(index, patch, "only a symlink takes a target");
  }
  if (!takes_content(patch.kind) && !patch.content.empty())
    return invalid_patch(index, patch, "only text, file and append take content");
  if (patch.mode && *patch.mode > kMaxMode)
    return invalid_patch(index, patch, fmt::format("mode {:o} is over 7777", *patch.mode));
  if (patch.mode && (patch.kind == Kind::kSymlink || patch.kind == Kind::kRemove))
    return invalid_patch(index, patch, "a symlink or remove takes no mode");
  if ((patch.uid || patch.gid) && patch.kind == Kind::kRemove)
    return invalid_patch(index, patch, "a remove takes no owner");
  return {};
}

}  // namespace

std::string_view patch_kind_name(Kind kind) {
  switch (kind) {
    case Kind::kCopyFile:
      return "copy_file";
    case Kind::kCopyDir:
      return "copy_dir";
    case Kind::kText:
      return "text";
    case Kind::kFile:
      return "file";
    case Kind::kMkdir:
      return "mkdir";
    case Kind::kSymlink:
      return "symlink";
    case Kind::kAppend:
      return "append";
    case Kind::kRemove:
      return "remove";
  }
  MSB_CHECK(false);
}

Result<Kind> parse_patch_kind(std::string_view text) {
  for (Kind kind : kAllKinds) {
    if (text == patch_kind_name(kind)) return kind;
  }
  return err(ErrorKind::kInvalidConfig,
             "unknown patch kind '{}': use copy_file, copy_dir, text, file, mkdir, symlink, "
             "append or remove",
             shown(text));
}

std::string describe_patch(size_t index, const RootfsPatch& patch) {
  return fmt::format("patch {} ({} {})", index, patch_kind_name(patch.kind), shown(patch.path));
}

Result<void> validate_patches(const std::vector<RootfsPatch>& patches) {
  if (patches.size() > kMaxPatches) {
    return err(ErrorKind::kInvalidConfig, "invalid config: {} patches, at most {}", patches.size(),
               kMaxPatches);
  }
  size_t content_bytes = 0;
  for (size_t index = 0; index < patches.size(); ++index) {
    MSB_TRY(validate_path(index, patches[index]));
    MSB_TRY(validate_fields(index, patches[index]));
    content_bytes += patches[index].content.size();
  }
  if (content_bytes > kMaxPatchContentBytes) {
    return err(ErrorKind::kInvalidConfig,
               "invalid config: the patches' content takes {} bytes together, at most {} (16 "
               "MiB): copy large files from the host instead",
               content_bytes, kMaxPatchContentBytes);
  }
  return {};
}

Result<void> check_patches_outside_mounts(const std::vector<RootfsPatch>& patches,
                                          const std::vector<VolumeMount>& mounts) {
  for (size_t index = 0; index < patches.size(); ++index) {
    const std::string& path = patches[index].path;
    for (const VolumeMount& mount : mounts) {
      if (is_path_under(path, mount.target) || is_path_under(mount.target, path)) {
        return invalid_patch(index, patches[index],
                             fmt::format("overlaps the mount at {}; patches change the root "
                                         "filesystem only",
                                         shown(mount.target)));
      }
    }
  }
  return {};
}

Result<void> check_patch_sources(const std::vector<RootfsPatch>& patches) {
  for (size_t index = 0; index < patches.size(); ++index) {
    const RootfsPatch& patch = patches[index];
    if (!is_copy(patch.kind)) continue;
    const bool want_dir = patch.kind == Kind::kCopyDir;
    if (std::optional<std::string> why = host_path_problem(patch.source, want_dir, !want_dir))
      return invalid_patch(index, patch, *why);
  }
  return {};
}

json patches_to_json(const std::vector<RootfsPatch>& patches) {
  json list = json::array();
  for (const RootfsPatch& patch : patches) {
    list.push_back({{"kind", patch_kind_name(patch.kind)},
                    {"path", patch.path},
                    {"source", patch.source},
                    {"target", patch.target},
                    {"content_base64", base64_encode(patch.content)},
                    {"mode", patch.mode ? json(fmt::format("{:04o}", *patch.mode)) : json()},
                    {"uid", patch.uid ? json(*patch.uid) : json()},
                    {"gid", patch.gid ? json(*patch.gid) : json()},
                    {"replace", patch.replace}});
  }
  return list;
}

namespace {

tl::unexpected<Error> bad_json(size_t index, std::string_view what) {
  return err(ErrorKind::kInvalidConfig, "sandbox config: patches[{}]: {}", index, what);
}

Result<void> read_string(const json& entry, size_t index, const char* key, std::string& out) {
  auto found = entry.find(key);
  if (found == entry.end()) return {};
  if (!found->is_string()) return bad_json(index, fmt::format("'{}' must be a string", key));
  out = found->get<std::string>();
  return {};
}

Result<void> read_id(const json& entry, size_t index, const char* key,
                     std::optional<uint32_t>& out) {
  auto found = entry.find(key);
  if (found == entry.end() || found->is_null()) return {};
  if (!found->is_number_unsigned() || found->get<uint64_t>() > 0xFFFFFFFEu)
    return bad_json(index, fmt::format("'{}' must be an id from 0 to 4294967294, or null", key));
  out = static_cast<uint32_t>(found->get<uint64_t>());
  return {};
}

// "0644": one to four octal digits, quoted as the reference writes them.
Result<void> read_mode(const json& entry, size_t index, std::optional<uint32_t>& out) {
  auto found = entry.find("mode");
  if (found == entry.end() || found->is_null()) return {};
  const std::string* text = found->get_ptr<const std::string*>();
  bool valid = text && !text->empty() && text->size() <= 4 &&
               text->find_first_not_of("01234567") == std::string::npos;
  if (!valid) return bad_json(index, "'mode' must be octal text like \"0644\", or null");
  uint32_t mode = 0;
  for (char digit : *text) mode = mode * 8 + static_cast<uint32_t>(digit - '0');
  out = mode;
  return {};
}

Result<RootfsPatch> read_patch(const json& entry, size_t index) {
  if (!entry.is_object()) return bad_json(index, "not an object");
  RootfsPatch patch;
  std::string kind = std::string(patch_kind_name(patch.kind));
  MSB_TRY(read_string(entry, index, "kind", kind));
  Result<Kind> parsed = parse_patch_kind(kind);
  if (!parsed) return bad_json(index, parsed.error().message);
  patch.kind = *parsed;
  MSB_TRY(read_string(entry, index, "path", patch.path));
  MSB_TRY(read_string(entry, index, "source", patch.source));
  MSB_TRY(read_string(entry, index, "target", patch.target));
  std::string encoded;
  MSB_TRY(read_string(entry, index, "content_base64", encoded));
  std::optional<std::string> content = base64_decode(encoded);
  if (!content) return bad_json(index, "'content_base64' is not padded base64");
  patch.content = std::move(*content);
  MSB_TRY(read_mode(entry, index, patch.mode));
  MSB_TRY(read_id(entry, index, "uid", patch.uid));
  MSB_TRY(read_id(entry, index, "gid", patch.gid));
  if (auto found = entry.find("replace"); found != entry.end()) {
    if (!found->is_boolean()) return bad_json(index, "'replace' must be true or false");
    patch.replace = found->get<bool>();
  }
  return patch;
}

}  // namespace

Result<std::vector<RootfsPatch>> patches_from_json(const json& value) {
  if (!value.is_array())
    return err(ErrorKind::kInvalidConfig, "sandbox config: patches: not an array");
  std::vector<RootfsPatch> patches;
  for (size_t index = 0; index < value.size(); ++index)
    patches.push_back(MSB_TRY(read_patch(value[index], index)));
  return patches;
}

}  // namespace msb::config
