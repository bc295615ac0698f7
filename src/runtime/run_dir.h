// Runtime directories of unnamed runs ($MSB_HOME/run/run-*): created with an owner record,
// removed by their owner, and swept by the next run when the owner died without cleaning
// up (SIGKILL, power loss), so that nothing stays behind for long.
#pragma once

#include <string>

#include "common/error.h"
#include "os/file.h"

namespace msb::runtime {

// Sweeps stale run directories under `parent`, then creates a fresh one owned by this
// process. Errors: kIo, kPermissionDenied.
Result<os::TempDir> create_run_dir(const std::string& parent);

// Removes every run-* directory under `parent` whose owner process is gone (or is another
// process that reused its pid). Returns how many were removed. Best effort.
int sweep_stale_run_dirs(const std::string& parent);

}  // namespace msb::runtime
