// msb mcp: the MCP server (src/mcp) on stdin/stdout, for AI assistants that start it.
#pragma once

#include <string>
#include <vector>

#include "cli/command.h"
#include "mcp/mcp_options.h"

namespace msb::cli {

// The flags that configure the MCP tools, shared by `msb mcp` and `msb server`.
struct McpFlags {
  std::vector<std::string> code_images;
  size_t output_bytes = mcp::McpOptions().output_bytes;
  int64_t exec_timeout = mcp::McpOptions().exec_timeout.count();
  std::string isolation;

  void add_to(CLI::App& command, const std::string& prefix);
  // Checked: errors are kInvalidArgument naming the flag.
  Result<mcp::McpOptions> options() const;
};

class McpCommand : public Command {
 public:
  CLI::App* add_to(CLI::App& app) override;
  Result<int> run() override;

 private:
  McpFlags flags_;
};

}  // namespace msb::cli
