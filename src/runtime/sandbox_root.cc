#include "runtime/sandbox_root.h"

namespace msb::runtime {

Result<std::unique_ptr<engine::Engine>> engine_for(const config::SandboxConfig& config) {
  return engine::make_engine(MSB_TRY(engine::parse_isolation(config.isolation)));
}

Result<std::string> image_root(const engine::Engine& engine, const config::SandboxConfig& config) {
  if (config.rootfs.kind != config::RootfsSource::Kind::kImage)
    return err(ErrorKind::kUnsupported, "{} root filesystems are not supported yet",
               config::rootfs_kind_name(config.rootfs.kind));
  if (config.image != "base")
    return err(ErrorKind::kImageNotFound,
               "image '{}' not found: only the built-in 'base' image exists until OCI pulls land",
               config.image);
  return std::move(engine.base_image_root()).context("image 'base'");
}

}  // namespace msb::runtime
