#include "runtime/image_roots.h"

#include "common/paths.h"
#include "image/manifest.h"
#include "image/rootfs_disk.h"
#include "os/file.h"

namespace msb::runtime {

bool is_builtin_image(std::string_view image) { return image == "base"; }

std::string image_cache_dir() { return msb_cache_dir(); }

Result<config::ImageDefaults> image_defaults(const store::ImageRecord& image) {
  image::ImageConfig config = MSB_TRY(std::move(image::parse_image_config(image.config_json))
                                          .context("image config {}", image.config_digest));
  return config::ImageDefaults{.env = config.env,
                               .entrypoint = config.entrypoint,
                               .cmd = config.cmd,
                               .working_dir = config.working_dir,
                               .user = config.user,
                               .labels = config.labels};
}

Result<std::vector<std::string>> image_rootfs_layers(const engine::Engine& engine,
                                                     const store::ImageRecord& image) {
  std::vector<std::string> layers;
  for (const store::LayerRecord& layer : image.layers) {
    if (layer.unpacked_path.empty() || !os::is_directory(layer.unpacked_path))
      return err(ErrorKind::kNotFound,
                 "layer {} of image {} is not in the cache; pull the image again", layer.digest,
                 image.manifest_digest);
    layers.push_back(layer.unpacked_path);
  }
  if (engine.isolation() == engine::Isolation::kNamespace) return layers;
  std::string disk =
      MSB_TRY(image::ensure_rootfs_disk(image_cache_dir(), image.manifest_digest, layers));
  return std::vector<std::string>{disk};
}

}  // namespace msb::runtime
