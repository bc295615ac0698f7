// Growing the root disk of a stopped sandbox (`msb modify NAME --root-disk SIZE`,
// Sandbox::grow_root_disk()).
#pragma once

#include <cstdint>
#include <string>

#include "common/error.h"

namespace msb::sdk {

// Grows the root disk of the stopped (or crashed) vm sandbox `name` to `new_bytes`, then
// records the new size in its config. Growing to the current size does nothing. In order:
// kNotFound (no such sandbox, or its disk is missing); kStillRunning (running, draining,
// paused, or created: a create under way); kUnsupported (the namespace engine, or a tmpfs
// root disk: neither has a disk to grow); kInvalidConfig (a smaller size, naming both, or
// one outside config::validate_root_disk()'s bounds); then the disk's errors (kNotFound for
// a missing e2fsprogs tool, kIo). A failure before the disk is replaced leaves disk and
// config as they were (engine/vm/upper_disk.h grows a copy); if only the config update
// fails, the disk is larger than recorded, which the message says (modify again records
// it). Not locked against a concurrent start of the same sandbox (as remove is not).
// Thread-safe.
Result<void> grow_root_disk(const std::string& name, uint64_t new_bytes);

}  // namespace msb::sdk
