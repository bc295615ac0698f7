// Runs a host tool to completion and keeps what it printed, for the mkfs-style helpers
// whose only interface is a command line.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "os/child_process.h"

namespace msb::os {

// Spawns `argv` (argv[0] looked up on $PATH and the sbin directories) with stdin on /dev/null,
// waits, and returns its stdout and stderr interleaved. Errors: kNotFound when the tool is missing,
// kIo "<tool> exited with N: <output>" when it fails. Thread-safe.
Result<std::string> run_command(const std::vector<std::string>& argv);

// What a tool run by run_command_with_input printed, and how it ended.
struct CommandOutput {
  ExitStatus status;
  std::string out;
  std::string err;
};

// Spawns `argv` (looked up like run_command) with `input` written to its stdin (then
// closed) and waits, keeping stdout and stderr apart; each is capped at `max_output`
// bytes (the rest is read and dropped). A non-zero exit is not an error: see status.
// Errors: kNotFound when the tool is missing, kTimeout (the tool is killed) after
// `timeout`, kIo. Thread-safe.
Result<CommandOutput> run_command_with_input(const std::vector<std::string>& argv,
                                             std::string_view input,
                                             std::chrono::milliseconds timeout,
                                             size_t max_output = 1 << 20);

}  // namespace msb::os
