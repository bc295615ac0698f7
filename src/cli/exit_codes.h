// msb's exit codes (documented in docs/cli.md, tested in tests/integration/cli).
#pragma once

#include "common/error.h"

namespace msb::cli {

enum ExitCode : int {
  kExitOk = 0,
  kExitUsage = 2,              // bad flags or arguments
  kExitTimeout = 124,          // the command ran past --timeout and was killed (as timeout(1))
  kExitMsbFailed = 125,        // msb itself failed (boot, kit missing, I/O, ...)
  kExitCannotInvoke = 126,     // the command exists but cannot be run
  kExitCommandNotFound = 127,  // the command does not exist in the sandbox
  // A command killed by signal N exits 128+N, as in a shell; Ctrl-C on msb gives 130.
};

ExitCode exit_code_for(const Error& error);

}  // namespace msb::cli
