// The read-only root of a sandbox being created: the built-in `base` image, or an OCI image
// pulled as the config's pull policy says, with its config defaults applied. Shared by the
// SDK (create) and the CLI's foreground run.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/error.h"
#include "config/sandbox_config.h"
#include "engine/engine.h"
#include "runtime/image_service.h"
#include "store/database.h"
#include "store/image_records.h"

namespace msb::runtime {

// A sandbox's root, ready to boot.
struct PreparedRoot {
  std::optional<store::ImageRecord> image;  // nullopt for the built-in base image
  std::vector<std::string> layers;          // LaunchSpec::rootfs_layers
};

// Makes `config`'s image bootable by `engine`: the built-in base, or an OCI image pulled
// per config.pull_policy (vm: its root disk is built now, once per image), whose config
// defaults (env, workdir, user, entrypoint, cmd) are applied to `config`.
// Errors: kUnsupported for bind and disk roots, kNotFound when the build did not produce
// the base image, and those of ensure_image and image_rootfs_layers.
Result<PreparedRoot> prepare_root(const engine::Engine& engine, config::SandboxConfig& config,
                                  store::Database& db, const PullOptions& options);

}  // namespace msb::runtime
