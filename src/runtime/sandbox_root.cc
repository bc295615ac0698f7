#include "runtime/sandbox_root.h"

namespace msb::runtime {
namespace {

Result<void> check_image_root(const config::SandboxConfig& config) {
  if (config.rootfs.kind != config::RootfsSource::Kind::kImage)
    return err(ErrorKind::kUnsupported, "{} root filesystems are not supported yet",
               config::rootfs_kind_name(config.rootfs.kind));
  return {};
}

Result<std::vector<std::string>> base_root(const engine::Engine& engine) {
  return std::vector<std::string>{
      MSB_TRY(std::move(engine.base_image_root()).context("image 'base'"))};
}

}  // namespace

Result<std::unique_ptr<engine::Engine>> engine_for(const config::SandboxConfig& config) {
  return engine::make_engine(MSB_TRY(engine::parse_isolation(config.isolation)));
}

Result<PreparedRoot> prepare_root(const engine::Engine& engine, config::SandboxConfig& config,
                                  store::Database& db, const PullOptions& options) {
  MSB_TRY(check_image_root(config));
  if (is_builtin_image(config.image)) return PreparedRoot{std::nullopt, MSB_TRY(base_root(engine))};
  PullOptions pull = options;
  pull.policy = config.pull_policy;
  store::ImageRecord image = MSB_TRY(ensure_image(db, config.image, pull));
  config::apply_image_defaults(config, MSB_TRY(image_defaults(image)));
  std::vector<std::string> layers = MSB_TRY(image_rootfs_layers(engine, image));
  return PreparedRoot{std::move(image), std::move(layers)};
}

Result<std::vector<std::string>> pinned_root(const engine::Engine& engine,
                                             const config::SandboxConfig& config,
                                             store::Database& db, int64_t sandbox_id) {
  MSB_TRY(check_image_root(config));
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
