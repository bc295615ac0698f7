#include "cli/server_command.h"

#include "os/child_process.h"
#include "os/file.h"
#include "os/self_location.h"

namespace msb::cli {

CLI::App* ServerCommand::add_to(CLI::App& app) {
  command_ = app.add_subcommand(
      "server", "Serve the HTTP API and MCP at /mcp (msb server --help lists the flags)");
  // Every argument, --help included, is msb-server's.
  command_->set_help_flag();
  command_->allow_extras();
  command_->prefix_command();
  return command_;
}

Result<int> ServerCommand::run() {
  // Beside msb (a build tree, an install), else on PATH.
  std::string own_dir = os::executable_dir();
  std::string server = own_dir.empty() ? "" : own_dir + "/msb-server";
  if (server.empty() || !os::is_regular_file(server))
    server = MSB_TRY(std::move(os::find_host_executable("msb-server"))
                         .context("msb server needs msb-server, installed beside msb"));
  std::vector<std::string> argv = {server};
  for (const std::string& arg : command_->remaining()) argv.push_back(arg);
  if (!trailing_.empty()) {
    argv.push_back("--");
    for (const std::string& arg : trailing_) argv.push_back(arg);
  }
  MSB_TRY(os::exec_replace(argv));
  return 0;  // not reached: exec_replace returns only with an error
}

}  // namespace msb::cli
