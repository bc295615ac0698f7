#include "runtime/prepared_root.h"

#include "runtime/image_roots.h"
#include "runtime/sandbox_root.h"
#include "runtime/snapshots.h"

namespace msb::runtime {
namespace {

Result<PreparedRoot> prepare_snapshot_root(const engine::Engine& engine,
                                           config::SandboxConfig& config, store::Database& db) {
  store::SnapshotRecord snapshot = MSB_TRY(store::get_snapshot(db, config.snapshot));
  if (snapshot.engine != config.isolation)
    return err(ErrorKind::kInvalidConfig,
               "invalid config: snapshot '{}' was taken on the {} engine; create the sandbox "
               "with isolation {}",
               snapshot.name, snapshot.engine, snapshot.engine);
  if (config.root_disk.kind == config::RootDisk::Kind::kTmpfs)
    return err(ErrorKind::kInvalidConfig,
               "invalid config: a tmpfs root disk starts empty; it cannot start from snapshot "
               "'{}'",
               snapshot.name);
  if (snapshot.engine == "vm") config.root_disk.size_bytes = snapshot.size_bytes;
  config.image = snapshot.image_reference;
  std::optional<store::ImageRecord> image = MSB_TRY(snapshot_image(db, snapshot));
  if (!image) return PreparedRoot{std::nullopt, MSB_TRY(base_root(engine)), std::move(snapshot)};
  config::apply_image_defaults(config, MSB_TRY(image_defaults(*image)));
  std::vector<std::string> layers = MSB_TRY(image_rootfs_layers(engine, *image));
  return PreparedRoot{std::move(image), std::move(layers), std::move(snapshot)};
}

}  // namespace

Result<PreparedRoot> prepare_root(const engine::Engine& engine, config::SandboxConfig& config,
                                  store::Database& db, const PullOptions& options) {
  if (config.rootfs.kind != config::RootfsSource::Kind::kImage) {
    if (!config.snapshot.empty())
      return err(ErrorKind::kInvalidConfig,
                 "invalid config: a snapshot brings its own root; it cannot start on {}",
                 config.rootfs.path);
    return PreparedRoot{std::nullopt, MSB_TRY(user_root(config))};
  }
  if (!config.snapshot.empty()) return prepare_snapshot_root(engine, config, db);
  if (is_builtin_image(config.image)) return PreparedRoot{std::nullopt, MSB_TRY(base_root(engine))};
  PullOptions pull = options;
  pull.policy = config.pull_policy;
  store::ImageRecord image = MSB_TRY(ensure_image(db, config.image, pull));
  config::apply_image_defaults(config, MSB_TRY(image_defaults(image)));
  std::vector<std::string> layers = MSB_TRY(image_rootfs_layers(engine, image));
  return PreparedRoot{std::move(image), std::move(layers)};
}

Result<void> create_writable_layer(const engine::Engine& engine, const PreparedRoot& root,
                                   const config::SandboxConfig& config, const std::string& path,
                                   bool ephemeral) {
  if (config.root_disk.kind == config::RootDisk::Kind::kTmpfs) return {};
  if (root.snapshot) return restore_snapshot_layer(*root.snapshot, engine, path);
  return engine.create_writable_layer(path, ephemeral, config.root_disk.size_bytes);
}

}  // namespace msb::runtime
