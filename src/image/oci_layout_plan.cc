// The images of an OCI image layout: index.json names manifests (or per-platform indexes)
// by digest, and every document is a blob under blobs/sha256/ checked against its digest.
#include <map>

#include "image/archive_plan.h"
#include "image/digest.h"
#include "image/json_fields.h"

namespace msb::image {
namespace {

constexpr size_t kMaxLayoutFileBytes = 64 << 10;

std::string blob_name(const std::string& digest) { return "blobs/sha256/" + digest.substr(7); }

// The blob `descriptor` names, read whole and checked against its size and digest.
Result<std::string> read_verified_blob(const ArchiveTree& tree, const Descriptor& descriptor,
                                       size_t max_bytes) {
  if (descriptor.size < 0 || static_cast<uint64_t>(descriptor.size) > max_bytes)
    return err(ErrorKind::kInvalidArgument, "blob {} is {} bytes, more than the {} allowed",
               descriptor.digest, descriptor.size, max_bytes);
  std::string raw = MSB_TRY(tree.read_small(blob_name(descriptor.digest), max_bytes));
  if (raw.size() != static_cast<uint64_t>(descriptor.size))
    return err(ErrorKind::kIntegrity, "blob {} is {} bytes, its descriptor says {}",
               descriptor.digest, raw.size(), descriptor.size);
  Sha256 hash;
  hash.update(raw.data(), raw.size());
  std::string actual = hash.finish();
  if (actual != descriptor.digest)
    return err(ErrorKind::kIntegrity, "digest mismatch: expected {}, got {}", descriptor.digest,
               actual);
  return raw;
}

// The image manifest `descriptor` names; an index is followed to the host's platform.
Result<Manifest> load_manifest(const ArchiveTree& tree, const Descriptor& descriptor, bool nested) {
  std::string raw = MSB_TRY(read_verified_blob(tree, descriptor, kMaxManifestBytes));
  std::string type = MSB_TRY(detect_media_type(raw, descriptor.media_type));
  if (!is_index_media_type(type)) return parse_manifest(raw, descriptor.digest);
  if (nested)
    return err(ErrorKind::kUnsupported, "index {} nests indexes more than one level deep",
               descriptor.digest);
  Index index = MSB_TRY(parse_index(raw));
  Descriptor chosen = MSB_TRY(select_platform(index, host_platform()));
  return load_manifest(tree, chosen, true);
}

Result<PlannedImage> plan_image(const ArchiveTree& tree, const Descriptor& descriptor,
                                const std::map<std::string, std::string>& annotations) {
  PlannedImage planned;
  ArchiveImage& image = planned.image;
  image.manifest = MSB_TRY(load_manifest(tree, descriptor, false));
  std::string config =
      MSB_TRY(read_verified_blob(tree, image.manifest.config, kMaxConfigBytes).context("config"));
  image.config = MSB_TRY(parse_checked_config(config, image.manifest));
  for (const Descriptor& layer : image.manifest.layers)
    planned.layer_files.push_back(blob_name(layer.digest));
  MSB_TRY(check_layer_files(tree, planned));
  for (std::string_view key : {kContainerdNameAnnotation, kRefNameAnnotation}) {
    auto name = annotations.find(std::string(key));
    if (name != annotations.end() && !name->second.empty()) add_image_name(image, name->second);
  }
  return planned;
}

}  // namespace

Result<std::vector<PlannedImage>> plan_oci_layout(const ArchiveTree& tree) {
  std::string layout = MSB_TRY(tree.read_small("oci-layout", kMaxLayoutFileBytes));
  Json layout_json = MSB_TRY(parse_json_object(layout, kMaxLayoutFileBytes, "oci-layout"));
  (void)MSB_TRY(required_string(layout_json, "imageLayoutVersion", "oci-layout"));

  std::string raw = MSB_TRY(tree.read_small("index.json", kMaxManifestBytes));
  Index index = MSB_TRY(parse_index(raw).context("index.json"));
  // parse_index() checked the document; only the annotations are read here.
  Json json = MSB_TRY(parse_json_object(raw, kMaxManifestBytes, "index.json"));
  const Json* entries = find_member(json, "manifests");
  MSB_CHECK(entries != nullptr && entries->size() == index.manifests.size());
  std::vector<PlannedImage> images;
  for (size_t i = 0; i < index.manifests.size(); ++i) {
    std::map<std::string, std::string> annotations =
        MSB_TRY(string_map((*entries)[i], "annotations", "index.json manifests"));
    images.push_back(
        MSB_TRY(plan_image(tree, index.manifests[i], annotations)
                    .context("index.json entry {} ({})", i, index.manifests[i].digest)));
  }
  return images;
}

}  // namespace msb::image
