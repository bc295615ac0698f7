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
#include "store/snapshot_records.h"

namespace msb::runtime {

// A sandbox's root, ready to boot.
struct PreparedRoot {
  std::optional<store::ImageRecord> image;  // nullopt for the built-in base image
  std::vector<std::string> layers;          // LaunchSpec::rootfs_layers
  // The snapshot the writable layer starts from (config.snapshot), or nullopt: empty.
  std::optional<store::SnapshotRecord> snapshot;
};

// Makes `config`'s root bootable by `engine`: a bind or disk rootfs (config.rootfs, taken
// as it is: no image defaults), the built-in base, or an OCI image pulled
// per config.pull_policy (vm: its root disk is built now, once per image), whose config
// defaults (env, workdir, user, entrypoint, cmd) are applied to `config`.
// With config.snapshot set, the image is the snapshot's (by manifest digest, never pulled:
// a tag may name another image by now) and config.image is set to its reference; on the vm
// engine the root disk is the snapshot's disk, so config.root_disk takes its size (grow it
// later with `msb modify`). A tmpfs root disk cannot start from a snapshot (kInvalidConfig).
// Errors: kNotFound when a bind or disk root is gone, or the build did not produce the base
// image (or the snapshot does not exist), kInvalidConfig when the snapshot was
// taken on the other engine, and those of ensure_image, snapshot_image and
// image_rootfs_layers.
Result<PreparedRoot> prepare_root(const engine::Engine& engine, config::SandboxConfig& config,
                                  store::Database& db, const PullOptions& options);

// Creates the sandbox's writable layer at `path`: empty (config.root_disk's size), or
// restored from root.snapshot (runtime/snapshots.h restore_snapshot_layer); nothing for a
// tmpfs root disk, which the engine makes at every launch. `ephemeral` as
// Engine::create_writable_layer.
Result<void> create_writable_layer(const engine::Engine& engine, const PreparedRoot& root,
                                   const config::SandboxConfig& config, const std::string& path,
                                   bool ephemeral);

}  // namespace msb::runtime
