// Runs a host tool to completion and keeps what it printed, for the mkfs-style helpers
// whose only interface is a command line.
#pragma once

#include <string>
#include <vector>

#include "common/error.h"

namespace msb::os {

// Spawns `argv` (argv[0] looked up on $PATH and the sbin directories) with stdin on /dev/null,
// waits, and returns its stdout and stderr interleaved. Errors: kNotFound when the tool is missing,
// kIo "<tool> exited with N: <output>" when it fails. Thread-safe.
Result<std::string> run_command(const std::vector<std::string>& argv);

}  // namespace msb::os
