// Create's last step: the config's rootfs patches, applied through the running sandbox's
// agent before create returns (runtime/rootfs_patches.h does the work).
#pragma once

#include <string>
#include <vector>

#include "common/error.h"
#include "config/rootfs_patch.h"

namespace msb::sdk {

// Connects to the agent at `agent_socket` and applies `patches` in order. Errors: those of
// runtime::apply_patches() (kInvalidConfig "patch <index> (<kind> <path>): <reason>"), and
// FsClient::connect's. Does nothing for no patches. Not thread-safe.
[[nodiscard]] Result<void> apply_create_patches(const std::string& agent_socket,
                                                const std::vector<config::RootfsPatch>& patches);

}  // namespace msb::sdk
