// The fs family: requests about files in the sandbox, answered in one reply each.
#pragma once

#include "protocol/messages.h"

namespace msb::agent {

// Answers fs.stat with lstat(2) semantics (a final symlink is described, not followed):
// fs.stat_result, with exists=false when the path or one of its directories is missing
// (ENOENT, ENOTDIR), or fs.error: kind "invalid-path" for a path that is not absolute,
// contains NUL or is too long, "permission-denied" (EACCES, EPERM), else "other".
// Paths are resolved in the agent's root, which is the sandbox's. Thread-safe.
protocol::Message stat_path(const protocol::FsStat& request);

}  // namespace msb::agent
