// The command-line flags that configure the MCP tools, shared by `msb mcp` and `msb server`
// (for its /mcp).
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "common/error.h"
#include "mcp/mcp_options.h"

namespace msb::mcp {

struct McpFlags {
  std::vector<std::string> code_images;
  size_t output_bytes = McpOptions().output_bytes;
  int64_t exec_timeout = McpOptions().exec_timeout.count();
  std::string isolation;

  // --code-image, --max-output-bytes, --exec-timeout, --isolation, each help text prefixed.
  void add_to(CLI::App& command, const std::string& prefix);
  // Checked: errors are kInvalidArgument naming the flag.
  Result<McpOptions> options() const;
};

}  // namespace msb::mcp
