// A stored image as a sandbox boots it: the read-only layers an engine mounts and the
// defaults its config gives. Needs only the store and the cache on disk, never the
// registry: the supervisor links this and not the pull (runtime/image_service.h).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "config/image_defaults.h"
#include "engine/engine.h"
#include "store/image_records.h"

namespace msb::runtime {

// "base": built into the guest kit, never pulled. Thread-safe.
bool is_builtin_image(std::string_view image);

// $MSB_HOME/cache: blobs, unpacked layers and root disks.
std::string image_cache_dir();

// What the image's config gives a sandbox (env, entrypoint, cmd, workdir, user, labels).
// Errors: kIntegrity when the stored config does not parse.
Result<config::ImageDefaults> image_defaults(const store::ImageRecord& image);

// The layers `engine` boots `image` from, lowest first: the unpacked layer directories
// (namespace) or one erofs disk built once per image (vm). Errors: kNotFound when a cache
// entry is gone (pull again), kIo.
Result<std::vector<std::string>> image_rootfs_layers(const engine::Engine& engine,
                                                     const store::ImageRecord& image);

}  // namespace msb::runtime
