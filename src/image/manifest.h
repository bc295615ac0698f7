// OCI and Docker v2 schema 2 image manifests, indexes (manifest lists) and image configs:
// parsing of untrusted registry documents, and choosing the manifest for a platform.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"

namespace msb::image {

inline constexpr std::string_view kOciManifest = "application/vnd.oci.image.manifest.v1+json";
inline constexpr std::string_view kOciIndex = "application/vnd.oci.image.index.v1+json";
inline constexpr std::string_view kDockerManifest =
    "application/vnd.docker.distribution.manifest.v2+json";
inline constexpr std::string_view kDockerManifestList =
    "application/vnd.docker.distribution.manifest.list.v2+json";
inline constexpr std::string_view kOciLayerTar = "application/vnd.oci.image.layer.v1.tar";
inline constexpr std::string_view kOciLayerGzip = "application/vnd.oci.image.layer.v1.tar+gzip";
inline constexpr std::string_view kOciLayerZstd = "application/vnd.oci.image.layer.v1.tar+zstd";
inline constexpr std::string_view kDockerLayerGzip =
    "application/vnd.docker.image.rootfs.diff.tar.gzip";

// Limits on documents from a registry: larger ones are refused before parsing.
inline constexpr size_t kMaxManifestBytes = 4 << 20;
inline constexpr size_t kMaxConfigBytes = 8 << 20;
inline constexpr size_t kMaxLayers = 1000;
inline constexpr size_t kMaxIndexEntries = 1000;

struct Platform {
  std::string os;            // "linux"
  std::string architecture;  // "amd64", "arm64"
  std::string variant;       // "" or "v8", "v7"

  std::string str() const;  // "linux/amd64", "linux/arm64/v8"
};

// The platform this binary runs on (linux/amd64 or linux/arm64/v8).
Platform host_platform();

struct Descriptor {
  std::string media_type;
  std::string digest;  // valid "sha256:<hex>"
  int64_t size = 0;
  std::vector<std::string> urls;
  std::optional<Platform> platform;
};

struct Manifest {
  std::string digest;  // sha256 of `raw`
  std::string media_type;
  std::string raw;
  Descriptor config;
  std::vector<Descriptor> layers;  // lowest first
};

struct Index {
  std::vector<Descriptor> manifests;
};

struct ImageConfig {
  std::vector<std::string> env;  // "KEY=value"
  std::vector<std::string> entrypoint;
  std::vector<std::string> cmd;
  std::string working_dir;
  std::string user;
  std::map<std::string, std::string> labels;
  std::vector<std::string> exposed_ports;  // "80/tcp"
  std::vector<std::string> diff_ids;       // rootfs.diff_ids, lowest layer first
  std::string os;
  std::string architecture;
  std::string raw;
};

// True for the index/manifest-list media types.
bool is_index_media_type(std::string_view media_type);
// The media type of a manifest or index document: its "mediaType" field, else
// `content_type` (the HTTP header, parameters ignored), else guessed from the fields
// present ("manifests" = OCI index, "layers" = OCI manifest). kInvalidArgument for
// documents that are neither, kUnsupported for Docker schema 1.
Result<std::string> detect_media_type(std::string_view raw, std::string_view content_type);

// Parses an image manifest. `digest` is recorded as is (the caller computed it from
// `raw`). Errors: kInvalidArgument (malformed, too large, bad digest or size, an index
// given), kUnsupported (foreign or non-distributable layers, unknown layer media types,
// schema 1). Thread-safe.
Result<Manifest> parse_manifest(std::string_view raw, std::string digest);
// Parses an index / manifest list. Same errors as parse_manifest. Thread-safe.
Result<Index> parse_index(std::string_view raw);
// The entry of `index` for `platform`: same os and architecture, and the same variant
// when one is asked for (an entry without a variant is the fallback). kNotFound, listing
// the platforms present, when none fits.
Result<Descriptor> select_platform(const Index& index, const Platform& platform);
// Parses an image config blob. Errors: kInvalidArgument (malformed, too large, bad
// rootfs). Thread-safe.
Result<ImageConfig> parse_image_config(std::string_view raw);

}  // namespace msb::image
