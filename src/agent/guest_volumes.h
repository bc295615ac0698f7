// The volumes of a VM sandbox, mounted by the agent inside the final root once it is ready
// (after the runtime filesystems, so that a volume may sit below /tmp or /run).
#pragma once

#include <vector>

#include "agent/options.h"
#include "common/error.h"

namespace msb::agent {

// Mounts each volume on its target, in order, creating a missing target (a directory, or
// an empty file for a one-file share) and its parents. Every mount is nosuid and nodev,
// and read-only or noexec when asked. Stops at the first failure: kIo or kNotFound (no
// such virtiofs tag), with a message that names the target. Not thread-safe.
Result<void> mount_volumes(const std::vector<VolumeMount>& volumes);

}  // namespace msb::agent
