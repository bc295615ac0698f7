#include "cli/mcp_command.h"

#include <unistd.h>

#include "cli/exit_codes.h"
#include "mcp/mcp_server.h"
#include "mcp/stdio_transport.h"

namespace msb::cli {

CLI::App* McpCommand::add_to(CLI::App& app) {
  CLI::App* sub = app.add_subcommand(
      "mcp", "Serve the Model Context Protocol on stdin/stdout (for AI assistants)");
  flags_.add_to(*sub, "");
  return sub;
}

Result<int> McpCommand::run() {
  mcp::McpOptions options = MSB_TRY(flags_.options());
  mcp::McpServer server(options);
  MSB_TRY(mcp::serve_stdio(server, STDIN_FILENO, STDOUT_FILENO));
  return kExitOk;
}

}  // namespace msb::cli
