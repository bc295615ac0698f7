// msb-server: `msb server` in a binary of its own, so that msb itself links neither the
// HTTP transport nor libssl (`msb server` execs it: src/cli/server_command.cc).
#pragma once

#include <string>
#include <vector>

namespace msb::server {

// Parses the flags (`msb server --help` lists them), serves until SIGTERM or SIGINT and
// returns the exit code: 0, 2 for bad flags, 125 when the server could not start.
int server_main(const std::vector<std::string>& args);

}  // namespace msb::server
