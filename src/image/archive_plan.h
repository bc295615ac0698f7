// What read_image_archive() found in an archive before it stores anything: per image, its
// names, manifest, config and the archive files holding its layers, all checked. Internal
// to the image component (archive_reader.cc, oci_layout_plan.cc, docker_archive_plan.cc).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "image/archive_reader.h"
#include "image/archive_tree.h"

namespace msb::image {

struct PlannedImage {
  ArchiveImage image;                    // layer_blobs still empty
  std::vector<std::string> layer_files;  // archive names of manifest.layers' blobs
};

// The images of an OCI layout (oci-layout + index.json). Errors as read_image_archive().
Result<std::vector<PlannedImage>> plan_oci_layout(const ArchiveTree& tree);
// The images of a `docker save` archive (manifest.json). Errors as read_image_archive().
Result<std::vector<PlannedImage>> plan_docker_archive(const ArchiveTree& tree);

// Adds `name` to image.names, or to image.bare_tags when it is only a tag.
void add_image_name(ArchiveImage& image, const std::string& name);
// Merges images that share a manifest digest (keeping the first, with every name).
std::vector<PlannedImage> merge_same_manifests(std::vector<PlannedImage> images);
// Checks that the layer files exist with the sizes the manifest gives.
Result<void> check_layer_files(const ArchiveTree& tree, const PlannedImage& planned);
// Parses the image config and checks it lists one diff_id per manifest layer.
Result<ImageConfig> parse_checked_config(std::string_view raw, const Manifest& manifest);

}  // namespace msb::image
