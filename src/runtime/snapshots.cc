#include "runtime/snapshots.h"

#include <fcntl.h>
#include <signal.h>

#include "image/sparse_digest.h"
#include "os/clock.h"
#include "os/file.h"
#include "os/fs_calls.h"
#include "os/system.h"
#include "runtime/image_roots.h"
#include "runtime/sandbox_root.h"
#include "runtime/snapshot_descriptor.h"

namespace msb::runtime {
namespace {

constexpr const char* kDescriptorFile = "snapshot.json";

// Staging directories live in <snapshots>/.staging/<name>.<pid>: a name no snapshot has
// (snapshot names start with an alphanumeric), and the pid says whose it is.
std::string staging_root(std::string_view msb_home) {
  return snapshots_dir(msb_home) + "/.staging";
}

// Removes the staging directories of processes that died mid-create or mid-load.
void remove_stale_staging(const std::string& root) {
  for (const std::string& entry : os::list_dir(root)) {
    size_t dot = entry.rfind('.');
    if (dot == std::string::npos) continue;
    int pid = 0;
    try {
      pid = std::stoi(entry.substr(dot + 1));
    } catch (const std::exception&) {
      continue;
    }
    if (pid > 0 && pid != os::current_pid()) {
      Result<void> alive = os::kill_process(pid, 0);
      if (!alive && alive.error().sys_errno == ESRCH) (void)os::remove_tree(root + "/" + entry);
    }
  }
}

}  // namespace

std::string snapshots_dir(std::string_view msb_home) {
  return std::string(msb_home) + "/snapshots";
}

Result<std::string> make_snapshot_staging(std::string_view msb_home, const std::string& name) {
  std::string root = staging_root(msb_home);
  MSB_TRY(os::make_dirs(root));
  remove_stale_staging(root);
  std::string staging = fmt::format("{}/{}.{}", root, name, os::current_pid());
  (void)os::remove_tree(staging);
  MSB_TRY(os::make_dir_at(AT_FDCWD, staging, 0700));
  return staging;
}

Result<store::SnapshotRecord> publish_snapshot(store::Database& db, std::string_view msb_home,
                                               const std::string& staging,
                                               store::SnapshotRecord record) {
  record.path = snapshots_dir(msb_home) + "/" + record.name;
  if (os::path_exists(record.path))
    return err(ErrorKind::kAlreadyExists,
               "snapshot '{}': its directory {} exists without a record; remove it first",
               record.name, record.path);
  MSB_TRY(os::write_file(staging + "/" + kDescriptorFile, snapshot_descriptor_json(record), 0600));
  MSB_TRY(os::rename_at(AT_FDCWD, staging, AT_FDCWD, record.path));
  Result<store::SnapshotRecord> stored = store::insert_snapshot(db, record);
  if (!stored) (void)os::remove_tree(record.path);
  return stored;
}

Result<store::SnapshotRecord> take_snapshot(store::Database& db, std::string_view msb_home,
                                            const std::string& name, const SnapshotSource& source,
                                            const engine::Engine& engine) {
  MSB_TRY(validate_snapshot_name(name));
  MSB_TRY(check_image_root(source.config));
  if (source.config.root_disk.kind == config::RootDisk::Kind::kTmpfs)
    return err(ErrorKind::kUnsupported,
               "sandbox '{}' has a tmpfs root disk: nothing of it survives a stop to snapshot",
               source.sandbox_name);
  if (MSB_TRY(store::find_snapshot(db, name)))
    return err(ErrorKind::kAlreadyExists, "snapshot '{}' already exists", name);
  std::string staging = MSB_TRY(make_snapshot_staging(msb_home, name));
  Result<store::SnapshotRecord> taken = [&]() -> Result<store::SnapshotRecord> {
    store::SnapshotRecord record;
    record.name = name;
    record.source_sandbox = source.sandbox_name;
    record.created_at_ns = static_cast<int64_t>(os::realtime_ns());
    record.engine = source.config.isolation;
    record.image_reference = source.config.image;
    record.manifest_digest = source.config.manifest_digest;
    record.artifact = engine.layer_artifact_name();
    std::string artifact = staging + "/" + record.artifact;
    MSB_TRY(engine.export_writable_layer(source.layer_path, artifact));
    record.content_digest = MSB_TRY(image::sparse_content_digest(artifact));
    record.size_bytes = MSB_TRY(os::lstat_path(artifact)).size;
    return publish_snapshot(db, msb_home, staging, std::move(record));
  }();
  if (!taken) (void)os::remove_tree(staging);
  return std::move(taken).context("snapshot '{}' of sandbox '{}'", name, source.sandbox_name);
}

Result<std::optional<store::ImageRecord>> snapshot_image(store::Database& db,
                                                         const store::SnapshotRecord& snapshot) {
  if (snapshot.manifest_digest.empty()) return std::optional<store::ImageRecord>();
  std::optional<store::ImageRecord> image =
      MSB_TRY(store::find_image_by_manifest(db, snapshot.manifest_digest));
  if (image) return image;
  // A tag may name another manifest by now: the digest is what the layer was made on.
  std::string repository = snapshot.image_reference.substr(0, snapshot.image_reference.find('@'));
  size_t colon = repository.rfind(':');
  if (colon != std::string::npos && repository.find('/', colon) == std::string::npos)
    repository.resize(colon);
  return err(ErrorKind::kImageNotFound,
             "snapshot '{}' needs image {} ({}), which is not in the store; pull it with `msb "
             "pull {}@{}`, or load the snapshot from an archive saved with --with-image",
             snapshot.name, snapshot.image_reference, snapshot.manifest_digest, repository,
             snapshot.manifest_digest);
}

Result<SnapshotCheck> verify_snapshot(const store::SnapshotRecord& snapshot) {
  std::string actual =
      MSB_TRY(image::sparse_content_digest(snapshot.path + "/" + snapshot.artifact));
  return SnapshotCheck{snapshot.content_digest, std::move(actual)};
}

Result<void> restore_snapshot_layer(const store::SnapshotRecord& snapshot,
                                    const engine::Engine& engine, const std::string& layer_path) {
  if (engine.layer_artifact_name() != snapshot.artifact)
    return err(ErrorKind::kInvalidConfig,
               "invalid config: snapshot '{}' holds a {} engine layer; create the sandbox with "
               "isolation {}",
               snapshot.name, snapshot.engine, snapshot.engine);
  SnapshotCheck check = MSB_TRY(verify_snapshot(snapshot));
  if (!check.ok())
    return err(ErrorKind::kIntegrity,
               "snapshot '{}' is damaged: its layer's digest is {}, recorded {}; remove it and "
               "take or load it again",
               snapshot.name, check.actual, check.expected);
  return std::move(
             engine.import_writable_layer(snapshot.path + "/" + snapshot.artifact, layer_path))
      .context("restore snapshot '{}'", snapshot.name);
}

Result<void> remove_snapshot(store::Database& db, std::string_view name) {
  store::SnapshotRecord record = MSB_TRY(store::get_snapshot(db, name));
  MSB_TRY(os::remove_tree(record.path));
  return store::delete_snapshot(db, name);
}

}  // namespace msb::runtime
