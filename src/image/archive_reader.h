// Reading image archives: `docker save` tars (manifest.json, <hex>.json configs, layer
// tars) and OCI image layouts (oci-layout, index.json, blobs/sha256/...) as a tar or a
// directory. Every config and layer blob goes into the BlobCache, verified by digest; the
// caller unpacks the layers and records the images.
#pragma once

#include <string>
#include <vector>

#include "common/error.h"
#include "image/blob_cache.h"
#include "image/manifest.h"

namespace msb::image {

// The OCI annotation naming an index entry, and containerd's (a full reference).
inline constexpr std::string_view kRefNameAnnotation = "org.opencontainers.image.ref.name";
inline constexpr std::string_view kContainerdNameAnnotation = "io.containerd.image.name";

struct ArchiveImage {
  // Full references the archive gives the image, as written ("busybox:latest",
  // "127.0.0.1:5000/x:1"): docker RepoTags, or the OCI annotations above.
  std::vector<std::string> names;
  // Names that are only a tag ("latest", as skopeo writes ref.name): not enough to name
  // the image; kept for messages.
  std::vector<std::string> bare_tags;
  // The image manifest; synthesized (OCI, uncompressed layers) for a docker save archive.
  Manifest manifest;
  ImageConfig config;                    // config.raw: the config blob
  std::vector<std::string> layer_blobs;  // BlobCache paths of manifest.layers, in order
};

struct ArchiveContents {
  std::vector<ArchiveImage> images;  // one per manifest, in archive order
  // Blobs this read added to the cache (not there before): what to remove when the
  // caller gives up on the images (e.g. a layer that does not unpack).
  std::vector<std::string> added_blobs;
};

// Reads the archive at `path` (a tar, optionally gzip/zstd compressed, or a directory
// holding an OCI layout) and stores its configs and layers in `blobs`. A tar is extracted
// under `staging_dir` first (use a directory on the cache's filesystem: blobs are then
// moved, not copied). For a multi-platform index the host platform's manifest is taken.
// Everything is checked before any blob is stored (files present, sizes, manifests and
// configs parsed and matching their digests, as many diff_ids as layers); when a layer
// then fails its digest check, the blobs this call added are removed again.
// Errors: kInvalidArgument (not an archive, malformed or oversized JSON, paths escaping
// the archive, truncated tar), kNotFound (missing file or platform), kIntegrity (digest
// or size mismatch), kUnsupported (media types), kIo. Thread-safe for distinct paths.
Result<ArchiveContents> read_image_archive(const std::string& path, BlobCache& blobs,
                                           const std::string& staging_dir);

}  // namespace msb::image
