// Images for sandboxes: pull into the cache and the store (libcurl, libarchive, OpenSSL).
// Shared by the SDK (create, pull, image commands) and the CLI's foreground run; the
// supervisor only boots stored images (runtime/image_roots.h) and links none of this.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "config/sandbox_config.h"
#include "runtime/image_roots.h"
#include "store/database.h"
#include "store/image_records.h"

namespace msb::runtime {

// One step of a pull, for progress displays. Events come from several threads (one per
// layer download) but never at once: the callback is serialized.
struct PullEvent {
  enum class Kind {
    kResolving,    // reference
    kResolved,     // manifest_digest, layer_count, total_bytes
    kLayerBytes,   // layer, bytes (so far), total_bytes (of the layer)
    kLayerCached,  // layer: already in the cache
    kExtracting,   // layer
    kLayerDone,    // layer
    kComplete,     // manifest_digest
  };
  Kind kind = Kind::kResolving;
  std::string reference;
  std::string manifest_digest;
  size_t layer = 0;  // index, lowest first
  size_t layer_count = 0;
  uint64_t bytes = 0;
  uint64_t total_bytes = 0;
};

struct PullOptions {
  config::PullPolicy policy = config::PullPolicy::kIfMissing;
  bool insecure = false;                           // plain HTTP to the registry
  std::function<void(const PullEvent&)> on_event;  // may be empty
};

// The canonical form of `image` ("python" -> "docker.io/library/python:latest").
// Errors: kInvalidArgument for a reference that does not parse.
Result<std::string> canonical_reference(std::string_view image);

// The image `image` names, pulled as `options.policy` says: if-missing uses a stored copy
// whose layers are all unpacked in the cache; always resolves again (a moved tag gives the
// new manifest); never fails with kImageNotFound when it is not stored. A pull served from
// the store reports kResolving, kResolved and kComplete (no layer events). Layers download in
// parallel into $MSB_HOME/cache. Errors: kInvalidArgument (reference), kImageNotFound,
// kPermissionDenied (registry auth), kIntegrity (digest), kIo, kTimeout.
Result<store::ImageRecord> ensure_image(store::Database& db, std::string_view image,
                                        const PullOptions& options);

// Deletes the cache files (blobs, unpacked layers, root disks) of what prune_images removed.
Result<void> remove_cached(const store::PrunedImages& pruned);

}  // namespace msb::runtime
