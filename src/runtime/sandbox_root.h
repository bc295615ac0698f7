// The engine a sandbox config asks for, and the read-only root a stored sandbox boots from:
// the built-in `base` image or the OCI image pinned at create. Used by the supervisor
// (launch) and the SDK; runtime/prepared_root.h makes that root at create.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/error.h"
#include "config/sandbox_config.h"
#include "engine/engine.h"
#include "store/database.h"
#include "store/image_records.h"

namespace msb::runtime {

// kInvalidConfig for an unknown isolation name.
Result<std::unique_ptr<engine::Engine>> engine_for(const config::SandboxConfig& config);

// kUnsupported unless `config` boots from an image: what snapshots need (a bind or disk
// root is the user's, and a snapshot would not carry it).
Result<void> check_image_root(const config::SandboxConfig& config);

// The root of a bind or disk rootfs (config.rootfs): its host path, resolved. Errors:
// kNotFound when it is gone.
Result<std::vector<std::string>> user_root(const config::SandboxConfig& config);

// The root of the built-in base image. Errors: kNotFound when the build did not make it.
Result<std::vector<std::string>> base_root(const engine::Engine& engine);

// The root of stored sandbox `sandbox_id`: its bind or disk rootfs, the base image, or the
// image it was pinned to at create. Errors: kImageNotFound when the pinned image is gone from the
// store, and those of image_rootfs_layers.
Result<std::vector<std::string>> pinned_root(const engine::Engine& engine,
                                             const config::SandboxConfig& config,
                                             store::Database& db, int64_t sandbox_id);

}  // namespace msb::runtime
