// OCI images in the local store ($MSB_HOME), shared with `msb pull` and `msb image ...`.
//
//   microsandbox::PullOptions options;
//   options.on_progress = [](const microsandbox::PullProgress& p) { ... };
//   microsandbox::ImageInfo python = microsandbox::Image::pull("python:3.12", options);
//
// Every call throws microsandbox::Error on failure (error.h) and may be used from any
// thread; each opens the store, works, and closes it.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "microsandbox/error.h"
#include "microsandbox/export.h"

namespace microsandbox {

enum class PullPolicy { kIfMissing, kAlways, kNever };

// One step of a pull. Events come in this order: kResolving, kResolved, then per layer
// kLayerCached (already unpacked) or kExtracting (the unpack follows the download as the
// bytes arrive) with kLayerBytes..., and kLayerDone (layers interleave: they download in
// parallel), and kComplete last. A layer whose blob is cached but not unpacked gives
// kLayerCached, kExtracting, kLayerBytes (all of it at once), kLayerDone.
enum class PullStage {
  kResolving,    // reference
  kResolved,     // manifest_digest, layer_count, total_bytes (compressed, all layers)
  kLayerBytes,   // layer, bytes downloaded so far, total_bytes of that layer
  kLayerCached,  // layer: already in the cache, nothing to fetch
  kExtracting,   // layer: being unpacked (while it downloads)
  kLayerDone,    // layer: downloaded, unpacked and both digests verified
  kComplete,     // manifest_digest
};
MSB_EXPORT const char* pull_stage_name(PullStage stage);  // "resolving", ...

struct PullProgress {
  PullStage stage = PullStage::kResolving;
  std::string reference;  // canonical: "docker.io/library/python:3.12"
  std::string manifest_digest;
  size_t layer = 0;  // index, lowest layer first
  size_t layer_count = 0;
  uint64_t bytes = 0;
  uint64_t total_bytes = 0;
};

// Called on the pulling threads, never two calls at once; keep it short. An exception
// thrown from it is swallowed (it cannot stop the pull).
using PullProgressCallback = std::function<void(const PullProgress&)>;

struct PullOptions {
  bool insecure = false;  // plain HTTP to a registry off the loopback interface
  PullProgressCallback on_progress;
};

struct ImageLayer {
  std::string digest;   // of the compressed blob
  std::string diff_id;  // of the uncompressed tar
  std::string media_type;
  uint64_t size = 0;  // compressed bytes
};

// A stored image, at the time it was read.
struct ImageInfo {
  std::vector<std::string> references;  // canonical, sorted; empty when only pinned
  std::string manifest_digest;
  std::string os;            // "linux"
  std::string architecture;  // "amd64"
  size_t layer_count = 0;
  uint64_t size_bytes = 0;                           // compressed layers + config
  std::chrono::system_clock::time_point created_at;  // when it was first stored here
};

// An image with what its config gives a sandbox.
struct ImageDetail {
  ImageInfo info;
  std::vector<ImageLayer> layers;  // lowest first
  std::vector<std::string> env;    // "KEY=value"
  std::vector<std::string> entrypoint;
  std::vector<std::string> cmd;
  std::string working_dir;
  std::string user;
  std::map<std::string, std::string> labels;
  std::vector<std::string> exposed_ports;  // "80/tcp"
  std::string config_json;                 // the OCI image config, as stored
  std::string manifest_json;
};

struct ImagePruneReport {
  std::vector<std::string> manifests;  // digests of the images removed
  size_t layers_removed = 0;
};

enum class ImageArchiveFormat { kDocker, kOci };

class MSB_EXPORT Image {
 public:
  // Pulls `reference` from its registry even when stored (a moved tag is picked up);
  // layers already in the cache are not fetched again. Errors: kInvalidArgument (bad
  // reference), kImageNotFound, kPermissionDenied (registry auth), kIntegrity (a digest
  // does not match), kIo, kTimeout.
  static ImageInfo pull(const std::string& reference, const PullOptions& options = {});
  // The image a reference ("python", "localhost:5000/app:1") or manifest digest names.
  // Errors: kInvalidArgument, kImageNotFound.
  static ImageInfo get(const std::string& reference_or_digest);
  // Every stored image, newest first.
  static std::vector<ImageInfo> list();
  static ImageDetail inspect(const std::string& reference_or_digest);
  // Removes a reference (a digest: all of its references), and the image's files when
  // nothing else uses them. Errors: kImageNotFound, kImageInUse when a sandbox uses it
  // and !force (with force the references go; the sandboxes keep their files).
  static void remove(const std::string& reference_or_digest, bool force = false);
  // Removes every image no sandbox uses, with the cache files only they used.
  static ImagePruneReport prune();
  // Loads a `docker save` tar or an OCI layout (tar, possibly compressed, or directory);
  // `tag` names its one image. Errors: kInvalidArgument (not an archive, or a tag for an
  // archive of several images), kIntegrity, kIo.
  static std::vector<ImageInfo> load(const std::string& archive_path,
                                     const std::optional<std::string>& tag = std::nullopt);
  // Writes the images to `archive_path` as one tar. Errors: kImageNotFound, kIo.
  static void save(const std::vector<std::string>& references, const std::string& archive_path,
                   ImageArchiveFormat format = ImageArchiveFormat::kOci);
};

}  // namespace microsandbox
