// The images of a `docker save` archive: manifest.json lists, per image, its config file
// (<hex>.json), its RepoTags and its layer files (<id>/layer.tar, uncompressed). There is
// no manifest: one is synthesized, OCI, whose layer blobs are the files as they are.
#include <array>
#include <cstring>

#include "image/archive_plan.h"
#include "image/digest.h"
#include "image/json_fields.h"
#include "os/io.h"

namespace msb::image {
namespace {

constexpr std::string_view kOciConfig = "application/vnd.oci.image.config.v1+json";

// What the first bytes of a layer file say about its compression.
Result<std::string_view> layer_media_type(const ArchiveTree& tree, const std::string& file) {
  os::Fd fd = MSB_TRY(tree.open(file));
  std::array<char, 4> magic{};
  size_t got = MSB_TRY(os::read_some(fd.get(), magic));
  if (got >= 2 && std::memcmp(magic.data(), "\x1f\x8b", 2) == 0) return kOciLayerGzip;
  if (got == 4 && std::memcmp(magic.data(), "\x28\xb5\x2f\xfd", 4) == 0) return kOciLayerZstd;
  return kOciLayerTar;
}

Result<std::string> hash_file(const ArchiveTree& tree, const std::string& file) {
  os::Fd fd = MSB_TRY(tree.open(file));
  std::vector<char> buffer(1 << 20);
  Sha256 hash;
  for (;;) {
    size_t got = MSB_TRY(os::read_some(fd.get(), buffer));
    if (got == 0) return hash.finish();
    hash.update(buffer.data(), got);
  }
}

// The digest a config file's name claims ("<hex>.json" or "blobs/sha256/<hex>"), if any.
std::string digest_in_name(const std::string& file) {
  std::string base = file.substr(file.rfind('/') + 1);
  if (base.ends_with(".json")) base.resize(base.size() - 5);
  std::string digest = "sha256:" + base;
  return is_valid_digest(digest) ? digest : "";
}

// A layer descriptor: an uncompressed layer is its own diff_id, checked when stored; a
// compressed one (some tools write them) is hashed here and its diff_id checked on unpack.
Result<Descriptor> layer_descriptor(const ArchiveTree& tree, const std::string& file,
                                    const std::string& diff_id) {
  Descriptor layer;
  layer.media_type = MSB_TRY(layer_media_type(tree, file));
  layer.size = static_cast<int64_t>(MSB_TRY(tree.size(file)));
  layer.digest = layer.media_type == kOciLayerTar ? diff_id : MSB_TRY(hash_file(tree, file));
  return layer;
}

Json descriptor_json(const Descriptor& descriptor) {
  return {{"mediaType", descriptor.media_type},
          {"digest", descriptor.digest},
          {"size", descriptor.size}};
}

Result<Manifest> synthesize_manifest(const Descriptor& config,
                                     const std::vector<Descriptor>& layers) {
  Json json = {{"schemaVersion", 2},
               {"mediaType", kOciManifest},
               {"config", descriptor_json(config)},
               {"layers", Json::array()}};
  for (const Descriptor& layer : layers) json["layers"].push_back(descriptor_json(layer));
  std::string raw = json.dump();
  Sha256 hash;
  hash.update(raw.data(), raw.size());
  return parse_manifest(raw, hash.finish());
}

Result<PlannedImage> plan_image(const ArchiveTree& tree, const Json& entry) {
  if (!entry.is_object())
    return err(ErrorKind::kInvalidArgument, "manifest.json: an entry is not an object");
  std::string config_file = MSB_TRY(required_string(entry, "Config", "manifest.json"));
  std::vector<std::string> tags = MSB_TRY(string_array(entry, "RepoTags", "manifest.json"));
  PlannedImage planned;
  planned.layer_files = MSB_TRY(string_array(entry, "Layers", "manifest.json"));
  if (planned.layer_files.size() > kMaxLayers)
    return err(ErrorKind::kInvalidArgument, "manifest.json: more than {} layers", kMaxLayers);

  std::string config = MSB_TRY(tree.read_small(config_file, kMaxConfigBytes));
  Descriptor config_descriptor{.media_type = std::string(kOciConfig),
                               .size = static_cast<int64_t>(config.size())};
  Sha256 hash;
  hash.update(config.data(), config.size());
  config_descriptor.digest = hash.finish();
  std::string claimed = digest_in_name(config_file);
  if (!claimed.empty() && claimed != config_descriptor.digest)
    return err(ErrorKind::kIntegrity, "config {}: digest mismatch: expected {}, got {}",
               config_file, claimed, config_descriptor.digest);
  ArchiveImage& image = planned.image;
  image.config = MSB_TRY(parse_image_config(config).context("config {}", config_file));
  if (image.config.diff_ids.size() != planned.layer_files.size())
    return err(ErrorKind::kIntegrity, "config {} lists {} layers, manifest.json {}", config_file,
               image.config.diff_ids.size(), planned.layer_files.size());

  std::vector<Descriptor> layers;
  for (size_t i = 0; i < planned.layer_files.size(); ++i) {
    layers.push_back(
        MSB_TRY(layer_descriptor(tree, planned.layer_files[i], image.config.diff_ids[i])
                    .context("layer {}", planned.layer_files[i])));
  }
  image.manifest = MSB_TRY(synthesize_manifest(config_descriptor, layers));
  for (const std::string& tag : tags) add_image_name(image, tag);
  return planned;
}

}  // namespace

Result<std::vector<PlannedImage>> plan_docker_archive(const ArchiveTree& tree) {
  std::string raw = MSB_TRY(tree.read_small("manifest.json", kMaxManifestBytes));
  Json json = Json::parse(raw, nullptr, false);
  if (json.is_discarded() || !json.is_array())
    return err(ErrorKind::kInvalidArgument, "manifest.json is not a JSON array");
  if (json.size() > kMaxIndexEntries)
    return err(ErrorKind::kInvalidArgument, "manifest.json lists more than {} images",
               kMaxIndexEntries);
  std::vector<PlannedImage> images;
  for (const Json& entry : json) images.push_back(MSB_TRY(plan_image(tree, entry)));
  return images;
}

}  // namespace msb::image
