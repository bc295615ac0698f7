// Typed access to the `volume` and `volume_label` tables: the records of named volumes
// (`msb volume ...`). The volume's files are managed by runtime/named_volumes.h.
//
// Every function here returns Result and never throws. Besides the kinds named per function,
// each may fail with the errors of Database: kTimeout when another writer holds the lock past
// the busy timeout, kIo for anything else. Thread-safety is that of Database; functions that
// open a Transaction say so and must not be called while a Transaction is open on the same
// connection.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "store/database.h"

namespace msb::store {

// What backs a named volume, as stored in `volume.kind`: a host directory, or a fixed-size
// disk image (reserved: the runtime refuses to create one yet).
enum class VolumeKind { kDir, kDisk };

// The stored spelling: "dir", "disk". Thread-safe.
std::string_view volume_kind_name(VolumeKind kind);
// The inverse of volume_kind_name. Errors: kInvalidArgument "unknown volume kind '<text>'
// (expected dir or disk)". Thread-safe.
Result<VolumeKind> parse_volume_kind(std::string_view name);

// One row of `volume` with its labels. Times are nanoseconds since the Unix epoch.
struct VolumeRecord {
  int64_t id = 0;
  std::string name;
  VolumeKind kind = VolumeKind::kDir;
  std::string path;         // the host directory (kDir) as it was created
  uint64_t quota_mib = 0;   // 0: none
  uint64_t size_bytes = 0;  // kDisk: the disk's size; 0 for kDir
  int64_t created_at_ns = 0;
  std::map<std::string, std::string> labels;

  bool operator==(const VolumeRecord&) const = default;
};

// What insert_volume needs; the id and the creation time are filled in by the store.
struct NewVolume {
  std::string name;
  VolumeKind kind = VolumeKind::kDir;
  std::string path;
  uint64_t quota_mib = 0;
  uint64_t size_bytes = 0;
  std::map<std::string, std::string> labels;
};

// Inserts `volume` with created_at = now, and its labels, in one transaction, and returns
// the stored record. Nothing is validated here (runtime/named_volumes.h does that).
// Errors: kAlreadyExists "volume '<name>' already exists" when the name is taken (the
// existing row is left untouched); kInvalidArgument when quota_mib or size_bytes exceed
// INT64_MAX. Opens a Transaction.
Result<VolumeRecord> insert_volume(Database& db, const NewVolume& volume);

// The volume named `name` with its labels, or nullopt when there is none.
Result<std::optional<VolumeRecord>> find_volume(Database& db, std::string_view name);

// As find_volume, but a missing volume is an error: kNotFound "volume '<name>' not found".
Result<VolumeRecord> get_volume(Database& db, std::string_view name);

// Every volume with its labels, by name. Read in one statement: one consistent snapshot.
Result<std::vector<VolumeRecord>> list_volumes(Database& db);

// Deletes volume `name`; its labels go with it (ON DELETE CASCADE). Checks nothing about
// its users (runtime/named_volumes.h does). Errors: kNotFound "volume '<name>' not found".
Result<void> delete_volume(Database& db, std::string_view name);

}  // namespace msb::store
