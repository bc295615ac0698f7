// Writing stored images as an archive other tools load: a `docker save` tar (docker load,
// podman load) or an OCI image layout tar (skopeo, containerd, msb image load).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/error.h"

namespace msb::image {

enum class ArchiveFormat {
  kDocker,  // manifest.json, <config hex>.json, <diff_id hex>/layer.tar (uncompressed)
  kOci,     // oci-layout, index.json (names as ref.name annotations), blobs/sha256/<hex>
};

struct ArchiveLayer {
  std::string digest;  // of the blob
  std::string diff_id;
  std::string media_type;
  int64_t size = 0;
  std::string blob_path;  // the blob in the cache
};

// One stored image to write.
struct ArchiveSource {
  std::vector<std::string> names;  // full references; digest references are not docker tags
  std::string manifest_digest;
  std::string manifest_media_type;
  std::string manifest_raw;
  std::string config_digest;
  std::string config_raw;
  std::vector<ArchiveLayer> layers;  // lowest first
};

// Writes `images` to `path` as one tar in `format`, through a temporary sibling renamed
// into place, so `path` is either the whole archive or untouched. Blobs shared by images
// are written once. For kDocker, gzip and zstd layers are decompressed (checked against
// their diff_id). Errors: kNotFound (a blob missing), kIntegrity (a layer whose
// uncompressed digest is not its diff_id), kInvalidArgument (a damaged blob), kIo.
// Thread-safe for distinct paths.
Result<void> write_image_archive(const std::string& path, ArchiveFormat format,
                                 const std::vector<ArchiveSource>& images);

}  // namespace msb::image
