// The image config blob: what a container of this image runs, and its layers' diff ids.
#include "image/digest.h"
#include "image/json_fields.h"
#include "image/manifest.h"

namespace msb::image {
namespace {

Result<void> parse_rootfs(const Json& json, ImageConfig& config) {
  const Json* rootfs = find_member(json, "rootfs");
  if (rootfs == nullptr || !rootfs->is_object())
    return err(ErrorKind::kInvalidArgument, "config.rootfs: missing");
  std::string type = MSB_TRY(required_string(*rootfs, "type", "config.rootfs"));
  if (type != "layers")
    return err(ErrorKind::kInvalidArgument, "config.rootfs.type: \"{}\" is not \"layers\"", type);
  config.diff_ids = MSB_TRY(string_array(*rootfs, "diff_ids", "config.rootfs"));
  if (config.diff_ids.size() > kMaxLayers)
    return err(ErrorKind::kInvalidArgument, "config.rootfs.diff_ids: too many layers");
  for (const std::string& diff_id : config.diff_ids) {
    if (!is_valid_digest(diff_id))
      return err(ErrorKind::kInvalidArgument, "config.rootfs.diff_ids: bad digest \"{}\"", diff_id);
  }
  return {};
}

Result<void> parse_run_settings(const Json& json, ImageConfig& config) {
  const Json* settings = find_member(json, "config");
  if (settings == nullptr) return {};
  if (!settings->is_object())
    return err(ErrorKind::kInvalidArgument, "config.config: expected an object");
  config.env = MSB_TRY(string_array(*settings, "Env", "config"));
  config.entrypoint = MSB_TRY(string_array(*settings, "Entrypoint", "config"));
  config.cmd = MSB_TRY(string_array(*settings, "Cmd", "config"));
  config.working_dir = MSB_TRY(optional_string(*settings, "WorkingDir", "config")).value_or("");
  config.user = MSB_TRY(optional_string(*settings, "User", "config")).value_or("");
  config.labels = MSB_TRY(string_map(*settings, "Labels", "config"));
  config.exposed_ports = MSB_TRY(object_keys(*settings, "ExposedPorts", "config"));
  return {};
}

}  // namespace

Result<ImageConfig> parse_image_config(std::string_view raw) {
  Json json = MSB_TRY(parse_json_object(raw, kMaxConfigBytes, "image config"));
  ImageConfig config;
  config.os = MSB_TRY(optional_string(json, "os", "config")).value_or("");
  config.architecture = MSB_TRY(optional_string(json, "architecture", "config")).value_or("");
  MSB_TRY(parse_run_settings(json, config));
  MSB_TRY(parse_rootfs(json, config));
  config.raw = std::string(raw);
  return config;
}

}  // namespace msb::image
