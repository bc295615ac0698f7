// Typed access to the image tables: image_config, manifest, layer, manifest_layer, image_ref
// and sandbox_rootfs (the pin of a sandbox on the manifest its root is built from).
//
// Rows describe what the cache holds; the cache files themselves are managed by the image
// component. Every function returns Result and never throws; besides the kinds named per
// function each may fail like Database (kTimeout, kIo). Thread-safety is that of Database;
// functions that open a Transaction say so and must not run inside another one.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "store/database.h"

namespace msb::store {

// One layer of a manifest. unpacked_path is "" until the layer is unpacked.
struct LayerRecord {
  std::string digest;   // of the compressed blob
  std::string diff_id;  // of the uncompressed tar
  std::string media_type;
  int64_t size = 0;
  std::string unpacked_path;

  bool operator==(const LayerRecord&) const = default;
};

// One stored image: a manifest with its config, ordered layers (lowest first) and every
// reference that names it (sorted).
struct ImageRecord {
  std::string manifest_digest;
  std::string media_type;
  int64_t size = 0;
  std::string manifest_json;
  std::string config_digest;
  std::string config_json;
  std::vector<LayerRecord> layers;
  std::vector<std::string> references;
  int64_t created_at_ns = 0;
};

// What record_image stores: the image and the reference it was pulled as.
struct NewImage {
  std::string reference;  // canonical, e.g. "docker.io/library/python:3.12"
  std::string manifest_digest;
  std::string media_type;
  int64_t size = 0;
  std::string manifest_json;
  std::string config_digest;
  std::string config_json;
  std::vector<LayerRecord> layers;
};

// Stores `image` bottom-up in one transaction (config, layers, manifest, its layer list)
// and points `image.reference` at it, moving the reference if it named another manifest
// (a re-tag). Rows already present are kept as they are (a layer keeps its unpacked_path).
// Opens a Transaction.
Result<void> record_image(Database& db, const NewImage& image);

// The image `reference` names, or nullopt.
Result<std::optional<ImageRecord>> find_image_by_reference(Database& db,
                                                           std::string_view reference);
// The image with manifest `manifest_digest`, or nullopt.
Result<std::optional<ImageRecord>> find_image_by_manifest(Database& db,
                                                          std::string_view manifest_digest);
// Every stored manifest, newest first.
Result<std::vector<ImageRecord>> list_images(Database& db);

// Records where layer `digest` was unpacked. Errors: kNotFound for an unknown layer.
Result<void> set_layer_unpacked(Database& db, std::string_view digest, std::string_view path);

// One row of `sandbox_rootfs`: the manifest a sandbox's root is built from, and how.
struct RootfsPin {
  std::string manifest_digest;
  // How the layers reach the sandbox: "erofs" (vm: one read-only erofs disk of the image)
  // or "layers" (namespace: the unpacked layer directories); "" for pins recorded before
  // migration 003 (unknown).
  std::string mode;
  // The writable layer's filesystem: "ext4" (vm upper disk); "" for a host directory
  // (namespace) or unknown. Stored as NULL when "".
  std::string upper_fstype;

  bool operator==(const RootfsPin&) const = default;
};

// Pins sandbox `sandbox_id` to `pin.manifest_digest`: the manifest and its layers stay
// while the sandbox exists. An upsert: pinning again replaces the whole earlier pin.
// Errors: kNotFound when the sandbox or the manifest is unknown (nothing changes then).
Result<void> pin_sandbox_rootfs(Database& db, int64_t sandbox_id, const RootfsPin& pin);
// The pin of sandbox `sandbox_id`, or nullopt when it has none (e.g. the base image).
Result<std::optional<RootfsPin>> sandbox_rootfs_pin(Database& db, int64_t sandbox_id);
// The manifest sandbox `sandbox_id` is pinned to, or nullopt.
Result<std::optional<std::string>> sandbox_rootfs_manifest(Database& db, int64_t sandbox_id);
// Names of the sandboxes pinned to `manifest_digest`, sorted.
Result<std::vector<std::string>> sandboxes_using_manifest(Database& db,
                                                          std::string_view manifest_digest);

// What remove_image removed.
struct RemovedImage {
  std::vector<std::string> references;  // the references deleted
  std::string manifest_digest;
};

// Removes `name_or_digest` (a reference, or a manifest digest meaning all its references).
// The manifest rows themselves go with the next prune_images. Errors: kImageNotFound when
// nothing matches; kImageInUse (message names the sandboxes, or the snapshots) when a
// sandbox is pinned to the manifest or a snapshot's layer sits on it, and `force` is false.
// With `force` the references go and the manifest stays until its sandboxes and snapshots
// are removed. Opens a Transaction.
Result<RemovedImage> remove_image(Database& db, std::string_view name_or_digest, bool force);

// What prune_images removed from the store; the caller deletes the matching cache files.
struct PrunedImages {
  std::vector<std::string> manifests;
  std::vector<std::string> configs;
  std::vector<LayerRecord> layers;
  // diff_ids of the removed layers that no remaining layer shares: their unpacked trees
  // can go.
  std::vector<std::string> unused_diff_ids;
};

// Which images prune_images removes.
enum class PruneScope {
  kUnreferenced,  // manifests no reference names (after `image rm`, or left by a re-tag)
  kUnused,        // also tagged ones: every image no sandbox or snapshot uses (`image prune`)
};

// Deletes the manifests of `scope` that no sandbox is pinned to and no snapshot uses (with their
// references), then every config and layer no remaining manifest uses. Opens a Transaction.
Result<PrunedImages> prune_images(Database& db, PruneScope scope = PruneScope::kUnreferenced);

}  // namespace msb::store
