// Disk snapshots (`msb snapshot ...`, the SDK's Snapshot): a stopped sandbox's writable
// layer saved under <msb_home>/snapshots/<name>/ (snapshot.json + the engine's artifact,
// engine/engine.h layer_artifact_name), indexed by the store's `snapshot` table, and
// restored as the writable layer of new sandboxes (`--from-snapshot`). Not captured:
// memory, processes, network state; a sandbox from a snapshot boots cold.
//
// Every function returns Result and never throws. Besides the kinds named per function,
// each may fail with the errors of store::Database (kTimeout, kIo).
#pragma once

#include <string>
#include <string_view>

#include "common/error.h"
#include "config/sandbox_config.h"
#include "engine/engine.h"
#include "store/database.h"
#include "store/image_records.h"
#include "store/snapshot_records.h"

namespace msb::runtime {

// <msb_home>/snapshots.
std::string snapshots_dir(std::string_view msb_home);

// What a snapshot is taken of: a stopped sandbox (the caller checks that it is).
struct SnapshotSource {
  std::string sandbox_name;
  config::SandboxConfig config;  // the stored config: engine, image, pinned manifest
  std::string layer_path;        // its writable layer
};

// Takes snapshot `name` of `source`: the layer is copied by the engine (vm: reflink where
// the filesystem can, else a sparse copy; namespace: a tar), digested, described in
// snapshot.json, published by renaming a staging directory into place, then recorded.
// On any error nothing is left behind. Errors: kInvalidConfig (the name); kAlreadyExists
// (a snapshot of that name, or its directory left without a record); kUnsupported (a root
// that is not an image, or a tmpfs root disk); those of Engine::export_writable_layer.
Result<store::SnapshotRecord> take_snapshot(store::Database& db, std::string_view msb_home,
                                            const std::string& name, const SnapshotSource& source,
                                            const engine::Engine& engine);

// The stored image `snapshot` sits on, or nullopt for the built-in base image. Errors:
// kImageNotFound "snapshot '<name>' needs image <ref> (<digest>), which is not in the store;
// <how to get it>".
Result<std::optional<store::ImageRecord>> snapshot_image(store::Database& db,
                                                         const store::SnapshotRecord& snapshot);

// What verify_snapshot found.
struct SnapshotCheck {
  std::string expected;  // the digest recorded at create
  std::string actual;    // the digest of the artifact now
  bool ok() const { return expected == actual; }
};

// Recomputes the digest of the snapshot's artifact. Errors: kNotFound when the artifact is
// gone, kIo.
Result<SnapshotCheck> verify_snapshot(const store::SnapshotRecord& snapshot);

// Makes the writable layer at `layer_path` (absent) from `snapshot`, after checking that the
// engine matches (kInvalidConfig naming the engine to use) and that the artifact is intact
// (kIntegrity with both digests). Errors also: those of Engine::import_writable_layer.
Result<void> restore_snapshot_layer(const store::SnapshotRecord& snapshot,
                                    const engine::Engine& engine, const std::string& layer_path);

// For code that brings a snapshot in from elsewhere (runtime/snapshot_archive.h): a fresh,
// empty staging directory for snapshot `name` (stale ones of dead processes are removed
// on the way), and its publication: snapshot.json written into `staging`, `staging`
// renamed to the snapshot's directory, the record inserted (`record.path` is set here).
// Errors: kAlreadyExists when the directory exists.
Result<std::string> make_snapshot_staging(std::string_view msb_home, const std::string& name);
Result<store::SnapshotRecord> publish_snapshot(store::Database& db, std::string_view msb_home,
                                               const std::string& staging,
                                               store::SnapshotRecord record);

// Removes snapshot `name`: its directory, then its record (so a failure in between leaves
// a record that can be removed again). Errors: kNotFound.
Result<void> remove_snapshot(store::Database& db, std::string_view name);

}  // namespace msb::runtime
