// The snapshot operations behind `msb snapshot ...` and the SDK's Snapshot API: each opens
// the state store under $MSB_HOME, works through runtime/snapshots.h and
// runtime/snapshot_archive.h, and closes it. Thread-safe: every call has its own store
// connection.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "runtime/snapshots.h"
#include "store/snapshot_records.h"

namespace msb::sdk {

// Takes snapshot `name` of sandbox `sandbox`, which must be stopped (or crashed).
// Errors: kInvalidConfig (a name), kNotFound (the sandbox), kStillRunning (it runs, or was
// started while the snapshot was taken: the snapshot is then discarded), and those of
// runtime::take_snapshot.
Result<store::SnapshotRecord> create_snapshot(std::string_view name, std::string_view sandbox);

// Errors: kInvalidConfig (the name), kNotFound "snapshot '<name>' not found".
Result<store::SnapshotRecord> get_snapshot(std::string_view name);
Result<std::vector<store::SnapshotRecord>> list_snapshots();
Result<runtime::SnapshotCheck> verify_snapshot(std::string_view name);
Result<void> remove_snapshot(std::string_view name);
Result<void> save_snapshot(std::string_view name, const std::string& out, bool with_image);
Result<store::SnapshotRecord> load_snapshot(const std::string& archive);

// The engine ("vm", "namespace") of snapshot `name`: what a create from it defaults to.
Result<std::string> snapshot_engine(std::string_view name);

}  // namespace msb::sdk
