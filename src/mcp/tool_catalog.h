// The tools `msb mcp` offers, by group. Names and arguments follow the reference's MCP
// server (microsandbox-mcp: sandbox_create, sandbox_exec, sandbox_fs_read, ...), plus
// sandbox_run_code, so prompts written for one work with the other.
#pragma once

#include <vector>

#include "mcp/mcp_options.h"
#include "mcp/tool.h"

namespace msb::mcp {

// sandbox_create, sandbox_list, sandbox_inspect, sandbox_stop, sandbox_remove, sandbox_logs.
std::vector<Tool> sandbox_tools(const McpOptions& options);
// sandbox_exec, sandbox_shell, sandbox_run, sandbox_run_code.
std::vector<Tool> exec_tools(const McpOptions& options);
// sandbox_fs_read, _write, _list, _stat, _mkdir, _remove.
std::vector<Tool> file_tools(const McpOptions& options);
// volume_create, volume_list, volume_remove, image_list, image_pull.
std::vector<Tool> store_tools();

std::vector<Tool> all_tools(const McpOptions& options);

}  // namespace msb::mcp
