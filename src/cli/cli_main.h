#pragma once

#include <string>
#include <vector>

#include "common/error.h"

namespace msb::cli {

// The whole msb CLI: parses `args` (without argv[0]), runs the command, prints errors,
// and returns the process exit code (cli/exit_codes.h).
int cli_main(const std::vector<std::string>& args);

}  // namespace msb::cli
