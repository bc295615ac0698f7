#include "image/manifest.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "image/digest.h"
#include "image/json_fields.h"

namespace msb::image {
namespace {

constexpr std::string_view kDockerSchema1 = "application/vnd.docker.distribution.manifest.v1";
constexpr std::array<std::string_view, 2> kConfigTypes = {
    "application/vnd.oci.image.config.v1+json", "application/vnd.docker.container.image.v1+json"};

tl::unexpected<Error> invalid(std::string_view what, std::string_view why) {
  return err(ErrorKind::kInvalidArgument, "{}: {}", what, why);
}

Result<std::optional<Platform>> parse_platform(const Json& object, std::string_view what) {
  const Json* member = find_member(object, "platform");
  if (member == nullptr) return std::optional<Platform>();
  if (!member->is_object()) return invalid(what, "platform is not an object");
  Platform platform;
  platform.os = MSB_TRY(required_string(*member, "os", what));
  platform.architecture = MSB_TRY(required_string(*member, "architecture", what));
  platform.variant = MSB_TRY(optional_string(*member, "variant", what)).value_or("");
  return std::optional<Platform>(std::move(platform));
}

Result<Descriptor> parse_descriptor(const Json& object, std::string_view what) {
  if (!object.is_object()) return invalid(what, "descriptor is not an object");
  Descriptor descriptor;
  descriptor.media_type = MSB_TRY(required_string(object, "mediaType", what));
  descriptor.digest = MSB_TRY(required_string(object, "digest", what));
  if (!is_valid_digest(descriptor.digest))
    return invalid(what, fmt::format("bad digest \"{}\"", descriptor.digest));
  descriptor.size = MSB_TRY(required_size(object, "size", what));
  descriptor.urls = MSB_TRY(string_array(object, "urls", what));
  descriptor.platform = MSB_TRY(parse_platform(object, what));
  return descriptor;
}

// Layers we can unpack; foreign and non-distributable ones must be fetched from
// elsewhere (often under a restrictive license), so they are refused by name.
Result<void> check_layer_type(const Descriptor& layer, size_t index) {
  std::string_view type = layer.media_type;
  if (type == kOciLayerTar || type == kOciLayerGzip || type == kOciLayerZstd ||
      type == kDockerLayerGzip)
    return {};
  if (type.find("foreign") != std::string_view::npos ||
      type.find("nondistributable") != std::string_view::npos) {
    return err(ErrorKind::kUnsupported,
               "layer {} ({}) is a foreign/non-distributable layer ({}), which is not supported",
               index, layer.digest, type);
  }
  return err(ErrorKind::kUnsupported, "layer {} ({}) has unsupported media type \"{}\"", index,
             layer.digest, type);
}

Result<Json> parse_document(std::string_view raw, std::string_view what) {
  Json json = MSB_TRY(parse_json_object(raw, kMaxManifestBytes, what));
  const Json* version = find_member(json, "schemaVersion");
  if (version == nullptr || !version->is_number_integer())
    return invalid(what, "schemaVersion missing");
  if (version->get<int64_t>() == 1)
    return err(ErrorKind::kUnsupported, "{}: Docker schema 1 manifests are not supported", what);
  if (version->get<int64_t>() != 2) return invalid(what, "schemaVersion is not 2");
  return json;
}

std::string_view strip_parameters(std::string_view content_type) {
  std::string_view type = content_type.substr(0, content_type.find(';'));
  while (!type.empty() && type.back() == ' ') type.remove_suffix(1);
  return type;
}

}  // namespace

bool is_index_media_type(std::string_view media_type) {
  return media_type == kOciIndex || media_type == kDockerManifestList;
}

Result<std::string> detect_media_type(std::string_view raw, std::string_view content_type) {
  Json json = MSB_TRY(parse_json_object(raw, kMaxManifestBytes, "manifest"));
  std::optional<std::string> field = MSB_TRY(optional_string(json, "mediaType", "manifest"));
  std::string type = field.value_or(std::string(strip_parameters(content_type)));
  if (type.starts_with(kDockerSchema1))
    return err(ErrorKind::kUnsupported, "Docker schema 1 manifests are not supported");
  if (type == kOciManifest || type == kDockerManifest || is_index_media_type(type)) return type;
  if (find_member(json, "manifests") != nullptr) return std::string(kOciIndex);
  if (find_member(json, "layers") != nullptr) return std::string(kOciManifest);
  return invalid("manifest", fmt::format("unknown manifest media type \"{}\"", type));
}

Result<Manifest> parse_manifest(std::string_view raw, std::string digest) {
  Json json = MSB_TRY(parse_document(raw, "manifest"));
  Manifest manifest;
  manifest.media_type =
      MSB_TRY(optional_string(json, "mediaType", "manifest")).value_or(std::string(kOciManifest));
  if (is_index_media_type(manifest.media_type) || find_member(json, "manifests") != nullptr)
    return invalid("manifest", "is an index, not an image manifest");
  if (manifest.media_type != kOciManifest && manifest.media_type != kDockerManifest) {
    return err(ErrorKind::kUnsupported, "manifest: unsupported media type \"{}\"",
               manifest.media_type);
  }
  const Json* config = find_member(json, "config");
  if (config == nullptr) return invalid("manifest", "config missing");
  manifest.config = MSB_TRY(parse_descriptor(*config, "manifest.config"));
  if (std::find(kConfigTypes.begin(), kConfigTypes.end(), manifest.config.media_type) ==
      kConfigTypes.end()) {
    return err(ErrorKind::kUnsupported, "manifest.config: unsupported media type \"{}\"",
               manifest.config.media_type);
  }
  const Json* layers = find_member(json, "layers");
  if (layers == nullptr || !layers->is_array()) return invalid("manifest", "layers missing");
  if (layers->size() > kMaxLayers)
    return invalid("manifest",
                   fmt::format("too many layers ({}, limit {})", layers->size(), kMaxLayers));
  for (const Json& item : *layers) {
    Descriptor layer = MSB_TRY(parse_descriptor(item, "manifest.layers"));
    MSB_TRY(check_layer_type(layer, manifest.layers.size()));
    manifest.layers.push_back(std::move(layer));
  }
  manifest.digest = std::move(digest);
  manifest.raw = std::string(raw);
  return manifest;
}

Result<Index> parse_index(std::string_view raw) {
  Json json = MSB_TRY(parse_document(raw, "index"));
  std::string type =
      MSB_TRY(optional_string(json, "mediaType", "index")).value_or(std::string(kOciIndex));
  if (!is_index_media_type(type))
    return invalid("index", fmt::format("media type \"{}\" is not an index", type));
  const Json* manifests = find_member(json, "manifests");
  if (manifests == nullptr || !manifests->is_array()) return invalid("index", "manifests missing");
  if (manifests->size() > kMaxIndexEntries) {
    return invalid("index", fmt::format("too many manifests ({}, limit {})", manifests->size(),
                                        kMaxIndexEntries));
  }
  Index index;
  for (const Json& item : *manifests)
    index.manifests.push_back(MSB_TRY(parse_descriptor(item, "index.manifests")));
  return index;
}

}  // namespace msb::image
