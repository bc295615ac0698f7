// The MCP server (src/mcp) on the API server: Streamable HTTP at /mcp, behind the same
// bearer token. POST carries one JSON-RPC message and gets its answer as application/json
// (202 and no body for a notification). GET and DELETE are 405: the server opens no
// server-to-client stream and keeps no sessions, which the protocol allows in both eras.
#pragma once

#include "mcp/mcp_server.h"
#include "server/router.h"

namespace msb::server {

void add_mcp_routes(Router& router, const mcp::McpServer& server);

}  // namespace msb::server
