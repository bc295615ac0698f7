// msb server: runs msb-server (src/server/server_main.h) in this process's place, with the
// arguments as given, so that msb itself links neither the HTTP transport nor libssl.
#pragma once

#include "cli/command.h"

namespace msb::cli {

class ServerCommand : public Command {
 public:
  CLI::App* add_to(CLI::App& app) override;
  Result<int> run() override;

 private:
  CLI::App* command_ = nullptr;
};

}  // namespace msb::cli
