// snapshot.json: the descriptor kept beside a snapshot's artifact and inside its saved
// archive. The store's `snapshot` row indexes the same fields; the file makes a snapshot
// directory (or archive) self-describing.
#pragma once

#include <string>
#include <string_view>

#include "common/error.h"
#include "store/snapshot_records.h"

namespace msb::runtime {

inline constexpr int kSnapshotSchema = 1;

// {"schema": 1, "name", "engine", "source_sandbox", "created_at_ns",
//  "image": {"reference", "manifest_digest"},
//  "artifact": {"file", "size_bytes", "digest"}}, compact, keys sorted. `record.id` and
// `record.path` are not written (they belong to one store).
std::string snapshot_descriptor_json(const store::SnapshotRecord& record);

// Parses and checks a descriptor (which may come from an untrusted archive): schema 1, a
// valid name, engine "vm" with artifact "upper.ext4" or "namespace" with "upper.tar", a
// manifest digest that is "" or "sha256:<64 hex>", a digest "msb-sparse-sha256-v1:<64 hex>".
// id and path are left empty. Errors: kInvalidArgument "snapshot.json: <what>".
Result<store::SnapshotRecord> parse_snapshot_descriptor(std::string_view text);

// config::validate_name's rules, with messages that say "snapshot name" (kInvalidConfig).
Result<void> validate_snapshot_name(std::string_view name);

}  // namespace msb::runtime
