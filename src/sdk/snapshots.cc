#include "sdk/snapshots.h"

#include "common/paths.h"
#include "config/sandbox_config.h"
#include "runtime/sandbox_root.h"
#include "runtime/snapshot_archive.h"
#include "runtime/snapshot_descriptor.h"
#include "sdk/lifecycle.h"
#include "store/run_records.h"

namespace msb::sdk {
namespace {

Result<store::Database> open_store() { return store::Database::open(msb_db_path()); }

// Stopped and crashed sandboxes have a quiet layer; created is a create under way.
bool is_quiet(store::SandboxStatus status) {
  return status == store::SandboxStatus::kStopped || status == store::SandboxStatus::kCrashed;
}

}  // namespace

Result<store::SnapshotRecord> create_snapshot(std::string_view name, std::string_view sandbox) {
  MSB_TRY(runtime::validate_snapshot_name(name));
  store::SandboxRecord record = MSB_TRY(get_sandbox(std::string(sandbox)));
  if (!is_quiet(record.status))
    return err(ErrorKind::kStillRunning, "cannot snapshot sandbox '{}': it is {}; stop it first",
               sandbox, store::sandbox_status_name(record.status));
  config::SandboxConfig config = MSB_TRY(config::config_from_json(record.config_json));
  std::unique_ptr<engine::Engine> engine = MSB_TRY(runtime::engine_for(config));
  store::Database db = MSB_TRY(open_store());
  size_t runs = MSB_TRY(store::runs_of(db, record.id)).size();
  runtime::SnapshotSource source{
      record.name, config, engine->writable_layer_path(sandbox_paths(msb_home(), record.name).dir)};
  std::string home = msb_home();
  store::SnapshotRecord snapshot =
      MSB_TRY(runtime::take_snapshot(db, home, std::string(name), source, *engine));
  // A start that slipped in while the layer was copied may have changed it mid-copy.
  store::SandboxRecord after = MSB_TRY(get_sandbox(record.name));
  if (!is_quiet(after.status) || MSB_TRY(store::runs_of(db, record.id)).size() != runs) {
    (void)runtime::remove_snapshot(db, name);
    return err(ErrorKind::kStillRunning,
               "sandbox '{}' was started while snapshot '{}' was taken; stop it and try again",
               sandbox, name);
  }
  return snapshot;
}

Result<store::SnapshotRecord> get_snapshot(std::string_view name) {
  MSB_TRY(runtime::validate_snapshot_name(name));
  store::Database db = MSB_TRY(open_store());
  return store::get_snapshot(db, name);
}

Result<std::vector<store::SnapshotRecord>> list_snapshots() {
  store::Database db = MSB_TRY(open_store());
  return store::list_snapshots(db);
}

Result<runtime::SnapshotCheck> verify_snapshot(std::string_view name) {
  store::SnapshotRecord snapshot = MSB_TRY(get_snapshot(name));
  return runtime::verify_snapshot(snapshot);
}

Result<void> remove_snapshot(std::string_view name) {
  MSB_TRY(runtime::validate_snapshot_name(name));
  store::Database db = MSB_TRY(open_store());
  return runtime::remove_snapshot(db, name);
}

Result<void> save_snapshot(std::string_view name, const std::string& out, bool with_image) {
  MSB_TRY(runtime::validate_snapshot_name(name));
  store::Database db = MSB_TRY(open_store());
  return runtime::save_snapshot_archive(db, msb_home(), name, out, with_image);
}

Result<store::SnapshotRecord> load_snapshot(const std::string& archive) {
  store::Database db = MSB_TRY(open_store());
  return runtime::load_snapshot_archive(db, msb_home(), archive);
}

Result<std::string> snapshot_engine(std::string_view name) {
  return MSB_TRY(get_snapshot(name)).engine;
}

}  // namespace msb::sdk
