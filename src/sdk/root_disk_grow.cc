#include "sdk/root_disk_grow.h"

#include "common/paths.h"
#include "config/root_disk.h"
#include "config/validate.h"
#include "runtime/sandbox_root.h"
#include "sdk/lifecycle.h"
#include "store/reconcile.h"

namespace msb::sdk {
namespace {

// A stopped or crashed sandbox has no supervisor, hence no QEMU holding its disk.
Result<store::SandboxRecord> stopped_record(store::Database& db, const std::string& name) {
  MSB_TRY(store::reconcile_sandbox(db, name, supervisor_alive));
  std::optional<store::SandboxRecord> record = MSB_TRY(store::find_sandbox(db, name));
  if (!record || MSB_TRY(remove_if_crashed_ephemeral(db, *record)))
    return err(ErrorKind::kNotFound, "sandbox '{}' not found", name);
  if (record->status != store::SandboxStatus::kStopped &&
      record->status != store::SandboxStatus::kCrashed)
    return err(ErrorKind::kStillRunning,
               "cannot modify sandbox '{}': status is {}; stop it first (its disk is in use)", name,
               store::sandbox_status_name(record->status));
  return std::move(*record);
}

// Only a vm sandbox's disk has a size to grow.
Result<uint64_t> current_disk_bytes(const config::SandboxConfig& config) {
  if (config.isolation != "vm")
    return err(ErrorKind::kUnsupported,
               "cannot grow the root disk of sandbox '{}': the {} engine's root layer is a host "
               "directory without a size",
               config.name, config.isolation);
  if (config.root_disk.kind != config::RootDisk::Kind::kDisk)
    return err(ErrorKind::kUnsupported,
               "cannot grow the root disk of sandbox '{}': it is a tmpfs, made afresh at every "
               "start; recreate the sandbox to change its size",
               config.name);
  return config::effective_root_disk_bytes(config.root_disk, config.memory_mib, config.isolation);
}

}  // namespace

Result<void> grow_root_disk(const std::string& name, uint64_t new_bytes) {
  MSB_TRY(config::validate_name(name));
  store::Database db = MSB_TRY(store::Database::open(msb_db_path()));
  store::SandboxRecord record = MSB_TRY(stopped_record(db, name));
  config::SandboxConfig config = MSB_TRY(config::config_from_json(record.config_json));
  uint64_t current = MSB_TRY(current_disk_bytes(config));
  if (new_bytes < current)
    return err(ErrorKind::kInvalidConfig,
               "cannot shrink the root disk of sandbox '{}' from {} to {}: root disks only grow",
               name, config::format_size(current), config::format_size(new_bytes));
  if (new_bytes == current) return {};
  config.root_disk.size_bytes = new_bytes;
  MSB_TRY(config::validate_root_disk(config.root_disk, config.memory_mib, config.isolation));
  std::unique_ptr<engine::Engine> engine = MSB_TRY(runtime::engine_for(config));
  std::string layer = engine->writable_layer_path(sandbox_paths(msb_home(), name).dir);
  if (!engine->has_writable_layer(layer))
    return err(ErrorKind::kNotFound, "cannot grow the root disk of sandbox '{}': {} is missing",
               name, layer);
  MSB_TRY(std::move(engine->grow_writable_layer(layer, new_bytes))
              .context("grow the root disk of sandbox '{}'", name));
  return std::move(store::set_sandbox_config(db, record.id, config::to_json(config)))
      .context(
          "the root disk of sandbox '{}' is {} now, but its config still says {}; modify it "
          "again to record the size",
          name, config::format_size(new_bytes), config::format_size(current));
}

}  // namespace msb::sdk
