#include "runtime/prepared_root.h"

#include "runtime/image_roots.h"
#include "runtime/sandbox_root.h"

namespace msb::runtime {

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

}  // namespace msb::runtime
