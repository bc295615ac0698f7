// msb server: the local HTTP API (src/server), in the foreground.
#pragma once

#include "cli/command.h"
#include "cli/mcp_command.h"
#include "server/serve.h"

namespace msb::cli {

class ServerCommand : public Command {
 public:
  CLI::App* add_to(CLI::App& app) override;
  Result<int> run() override;

 private:
  server::ServeOptions options_;
  McpFlags mcp_flags_;
};

}  // namespace msb::cli
