// The engine a sandbox config asks for, and the read-only root it boots from: the built-in
// `base` image or a pulled OCI image. Shared by the SDK (create), the CLI's foreground run
// and the supervisor (launch).
#pragma once

#include <memory>
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

// kInvalidConfig for an unknown isolation name.
Result<std::unique_ptr<engine::Engine>> engine_for(const config::SandboxConfig& config);

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

// The root of stored sandbox `sandbox_id`: the base image, or the image it was pinned to at
// create. Errors: kImageNotFound when the pinned image is gone from the store, and those of
// image_rootfs_layers.
Result<std::vector<std::string>> pinned_root(const engine::Engine& engine,
                                             const config::SandboxConfig& config,
                                             store::Database& db, int64_t sandbox_id);

}  // namespace msb::runtime
