// Typed access to the `snapshot` table: the index of disk snapshots (`msb snapshot ...`).
// The snapshot's files (snapshot.json and its artifact) are managed by runtime/snapshots.h;
// these rows say which exist and which images they need.
//
// Every function returns Result and never throws. Besides the kinds named per function, each
// may fail with the errors of Database (kTimeout, kIo). Thread-safety is that of Database.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "store/database.h"

namespace msb::store {

// One row of `snapshot`. Times are nanoseconds since the Unix epoch.
struct SnapshotRecord {
  int64_t id = 0;
  std::string name;
  std::string source_sandbox;   // the sandbox it was taken of (which may be gone)
  std::string path;             // its directory
  std::string engine;           // "vm" or "namespace"
  std::string image_reference;  // the image the layer sits on ("base" for the built-in)
  std::string manifest_digest;  // "" for the built-in base image
  std::string artifact;         // the file in `path` holding the layer ("upper.ext4", ...)
  std::string content_digest;   // image/sparse_digest.h, taken at create
  uint64_t size_bytes = 0;      // the artifact's apparent size
  int64_t created_at_ns = 0;

  bool operator==(const SnapshotRecord&) const = default;
};

// Inserts `record` (its id ignored; created_at kept when non-zero, else now) and returns it
// as stored. Errors: kAlreadyExists "snapshot '<name>' already exists"; kInvalidArgument
// when size_bytes exceeds INT64_MAX.
Result<SnapshotRecord> insert_snapshot(Database& db, const SnapshotRecord& record);

// The snapshot named `name`, or nullopt.
Result<std::optional<SnapshotRecord>> find_snapshot(Database& db, std::string_view name);

// As find_snapshot; a missing one is kNotFound "snapshot '<name>' not found".
Result<SnapshotRecord> get_snapshot(Database& db, std::string_view name);

// Every snapshot, by name.
Result<std::vector<SnapshotRecord>> list_snapshots(Database& db);

// The names of the snapshots whose layer sits on manifest `manifest_digest`, by name.
Result<std::vector<std::string>> snapshots_using_manifest(Database& db,
                                                          std::string_view manifest_digest);

// Deletes snapshot `name`. Errors: kNotFound "snapshot '<name>' not found".
Result<void> delete_snapshot(Database& db, std::string_view name);

}  // namespace msb::store
