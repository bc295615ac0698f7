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
  int exec_attach_seconds_ = 30;
};

}  // namespace msb::cli
