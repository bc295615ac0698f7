#include "runtime/sandbox_root.h"

#include "os/fs_calls.h"
#include "runtime/image_roots.h"

namespace msb::runtime {

Result<void> check_image_root(const config::SandboxConfig& config) {
  if (config.rootfs.kind != config::RootfsSource::Kind::kImage)
    return err(
        ErrorKind::kUnsupported, "snapshots need an image root; this sandbox's root is a {} ({})",
        config.rootfs.kind == config::RootfsSource::Kind::kBind ? "host directory" : "disk image",
        config.rootfs.path);
  return {};
}

Result<std::vector<std::string>> user_root(const config::SandboxConfig& config) {
  Result<std::string> resolved = os::resolve_path(config.rootfs.path);
  if (!resolved && resolved.error().kind == ErrorKind::kNotFound)
    return err(ErrorKind::kNotFound, "the root {} is gone", config.rootfs.path);
  return std::vector<std::string>{MSB_TRY(std::move(resolved))};
}

Result<std::vector<std::string>> base_root(const engine::Engine& engine) {
  return std::vector<std::string>{
      MSB_TRY(std::move(engine.base_image_root()).context("image 'base'"))};
}

Result<std::unique_ptr<engine::Engine>> engine_for(const config::SandboxConfig& config) {
  return engine::make_engine(MSB_TRY(engine::parse_isolation(config.isolation)));
}

Result<std::vector<std::string>> pinned_root(const engine::Engine& engine,
                                             const config::SandboxConfig& config,
                                             store::Database& db, int64_t sandbox_id) {
  if (config.rootfs.kind != config::RootfsSource::Kind::kImage) return user_root(config);
  if (is_builtin_image(config.image)) return base_root(engine);
  std::optional<std::string> manifest = MSB_TRY(store::sandbox_rootfs_manifest(db, sandbox_id));
  if (!manifest)
    return err(ErrorKind::kImageNotFound, "sandbox has no pinned image for '{}'", config.image);
  std::optional<store::ImageRecord> image = MSB_TRY(store::find_image_by_manifest(db, *manifest));
  if (!image)
    return err(ErrorKind::kImageNotFound, "image {} ({}) is gone from the store", config.image,
               *manifest);
  return image_rootfs_layers(engine, *image);
}

}  // namespace msb::runtime
