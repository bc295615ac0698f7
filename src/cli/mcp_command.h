// msb mcp: the MCP server (src/mcp) on stdin/stdout, for AI assistants that start it.
#pragma once

#include "cli/command.h"
#include "mcp/mcp_flags.h"

namespace msb::cli {

class McpCommand : public Command {
 public:
  CLI::App* add_to(CLI::App& app) override;
  Result<int> run() override;

 private:
  mcp::McpFlags flags_;
};

}  // namespace msb::cli
