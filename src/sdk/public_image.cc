// microsandbox::Image: the public face of sdk/images and sdk/image_archives.
#include "image/manifest.h"
#include "microsandbox/image.h"
#include "sdk/image_archives.h"
#include "sdk/images.h"
#include "sdk/pull_progress.h"
#include "sdk/throw_error.h"
#include "sdk/time_points.h"

namespace microsandbox {
namespace {

using msb::sdk::value_or_throw;

// The image config, or an empty one when the stored text does not parse: listing must
// still show the image (inspect reports the damage through config_json).
msb::image::ImageConfig parsed_config(const msb::store::ImageRecord& record) {
  msb::Result<msb::image::ImageConfig> config = msb::image::parse_image_config(record.config_json);
  return config ? std::move(*config) : msb::image::ImageConfig{};
}

ImageInfo info_of(const msb::store::ImageRecord& record, const msb::image::ImageConfig& config) {
  ImageInfo info;
  info.references = record.references;
  info.manifest_digest = record.manifest_digest;
  info.os = config.os;
  info.architecture = config.architecture;
  info.layer_count = record.layers.size();
  info.size_bytes = record.config_json.size();
  for (const msb::store::LayerRecord& layer : record.layers)
    info.size_bytes += static_cast<uint64_t>(layer.size);
  info.created_at = msb::sdk::from_ns(record.created_at_ns);
  return info;
}

ImageInfo info_of(const msb::store::ImageRecord& record) {
  return info_of(record, parsed_config(record));
}

std::vector<ImageInfo> infos_of(const std::vector<msb::store::ImageRecord>& records) {
  std::vector<ImageInfo> infos;
  infos.reserve(records.size());
  for (const msb::store::ImageRecord& record : records) infos.push_back(info_of(record));
  return infos;
}

}  // namespace

const char* pull_stage_name(PullStage stage) {
  switch (stage) {
    case PullStage::kResolving:
      return "resolving";
    case PullStage::kResolved:
      return "resolved";
    case PullStage::kLayerBytes:
      return "layer-bytes";
    case PullStage::kLayerCached:
      return "layer-cached";
    case PullStage::kExtracting:
      return "extracting";
    case PullStage::kLayerDone:
      return "layer-done";
    case PullStage::kComplete:
      return "complete";
  }
  return "unknown";
}

ImageInfo Image::pull(const std::string& reference, const PullOptions& options) {
  msb::runtime::PullOptions pull =
      msb::sdk::runtime_pull_options(options.insecure, options.on_progress);
  return info_of(value_or_throw(msb::sdk::pull_image(reference, pull)));
}

ImageInfo Image::get(const std::string& reference_or_digest) {
  return info_of(value_or_throw(msb::sdk::inspect_image(reference_or_digest)));
}

std::vector<ImageInfo> Image::list() { return infos_of(value_or_throw(msb::sdk::list_images())); }

ImageDetail Image::inspect(const std::string& reference_or_digest) {
  msb::store::ImageRecord record = value_or_throw(msb::sdk::inspect_image(reference_or_digest));
  msb::image::ImageConfig config = parsed_config(record);
  ImageDetail detail;
  detail.info = info_of(record, config);
  for (const msb::store::LayerRecord& layer : record.layers) {
    detail.layers.push_back(ImageLayer{.digest = layer.digest,
                                       .diff_id = layer.diff_id,
                                       .media_type = layer.media_type,
                                       .size = static_cast<uint64_t>(layer.size)});
  }
  detail.env = std::move(config.env);
  detail.entrypoint = std::move(config.entrypoint);
  detail.cmd = std::move(config.cmd);
  detail.working_dir = std::move(config.working_dir);
  detail.user = std::move(config.user);
  detail.labels = std::move(config.labels);
  detail.exposed_ports = std::move(config.exposed_ports);
  detail.config_json = std::move(record.config_json);
  detail.manifest_json = std::move(record.manifest_json);
  return detail;
}

void Image::remove(const std::string& reference_or_digest, bool force) {
  value_or_throw(msb::sdk::remove_image(reference_or_digest, force));
}

ImagePruneReport Image::prune() {
  msb::store::PrunedImages pruned = value_or_throw(msb::sdk::prune_images());
  return ImagePruneReport{.manifests = std::move(pruned.manifests),
                          .layers_removed = pruned.layers.size()};
}

std::vector<ImageInfo> Image::load(const std::string& archive_path,
                                   const std::optional<std::string>& tag) {
  return infos_of(value_or_throw(msb::sdk::load_images(archive_path, tag)));
}

void Image::save(const std::vector<std::string>& references, const std::string& archive_path,
                 ImageArchiveFormat format) {
  value_or_throw(msb::sdk::save_images(references, archive_path,
                                       format == ImageArchiveFormat::kDocker ? "docker" : "oci"));
}

}  // namespace microsandbox
