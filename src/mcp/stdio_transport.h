// MCP over stdio: one JSON-RPC message per line on stdin, answers one per line on stdout
// (nothing else ever goes to stdout; diagnostics go to stderr). Tool calls run on a few
// worker threads so a long one (a boot, a build) never holds up a ping or a tools/list;
// answers go out as they finish, matched by id.
#pragma once

#include <cstddef>

#include "common/error.h"
#include "mcp/mcp_server.h"

namespace msb::mcp {

struct StdioOptions {
  // A longer line is answered -32600 and skipped (a file written through sandbox_fs_write
  // travels inside one line, so this is generous).
  size_t max_line_bytes = 64u << 20;
  // Tool calls at once; the next line waits for a free worker (backpressure on the client).
  size_t workers = 8;
};

// Serves until `in_fd` reaches end of file, then lets the calls in progress finish and
// returns. Errors: kIo reading `in_fd`. A closed `out_fd` (the client went away) drops the
// answers and keeps going until end of file.
Result<void> serve_stdio(const McpServer& server, int in_fd, int out_fd,
                         const StdioOptions& options = {});

}  // namespace msb::mcp
