#include "cli/cp_command.h"

#include "common/paths.h"
#include "config/validate.h"
#include "sdk/guest_copy.h"
#include "sdk/host_copy.h"
#include "sdk/lifecycle.h"

namespace msb::cli {

Result<CopyEndpoint> parse_copy_endpoint(const std::string& text) {
  if (text.empty()) return err(ErrorKind::kInvalidArgument, "cp: empty path");
  size_t colon = text.find(':');
  if (colon != std::string::npos && colon > 0 && config::validate_name(text.substr(0, colon))) {
    std::string path = text.substr(colon + 1);
    if (path.empty() || path.front() != '/')
      return err(ErrorKind::kInvalidArgument,
                 "cp: '{}': the sandbox path must be absolute (NAME:/path)", text);
    return CopyEndpoint{text.substr(0, colon), path};
  }
  return CopyEndpoint{std::nullopt, text};
}

CLI::App* CopyCommand::add_to(CLI::App& app) {
  CLI::App* copy =
      app.add_subcommand("cp", "Copy files between the host and sandboxes, or two sandboxes");
  copy->alias("copy");
  copy->add_option("source", source_, "Host path or NAME:/path")->required();
  copy->add_option("destination", destination_, "Host path or NAME:/path")->required();
  return copy;
}

namespace {

// A connection to a running sandbox's agent for copying.
Result<sdk::FsClient> connect_for_copy(const std::string& name) {
  store::SandboxRecord record = MSB_TRY(sdk::get_sandbox(name));
  if (!sdk::is_active(record.status))
    return err(ErrorKind::kInvalidArgument, "cp: sandbox '{}' is not running; start it first",
               name);
  return sdk::FsClient::connect(sandbox_paths(msb_home(), name).agent_socket);
}

}  // namespace

Result<int> CopyCommand::run() {
  CopyEndpoint from = MSB_TRY(parse_copy_endpoint(source_));
  CopyEndpoint to = MSB_TRY(parse_copy_endpoint(destination_));
  if (!from.sandbox && !to.sandbox)
    return err(ErrorKind::kInvalidArgument, "cp: one side must be a sandbox path NAME:/path");
  if (from.sandbox && to.sandbox) {
    // Two connections, even to one sandbox: the source streams while the copy is written.
    sdk::FsClient source = MSB_TRY(connect_for_copy(*from.sandbox));
    sdk::FsClient destination = MSB_TRY(connect_for_copy(*to.sandbox));
    MSB_TRY(sdk::copy_between_sandboxes(source, from.path, destination, to.path)
                .context("cp {}:{} {}:{}", *from.sandbox, from.path, *to.sandbox, to.path));
    return 0;
  }
  sdk::FsClient fs = MSB_TRY(connect_for_copy(from.sandbox ? *from.sandbox : *to.sandbox));
  if (from.sandbox) {
    MSB_TRY(sdk::copy_guest_to_host(fs, from.path, to.path));
  } else {
    MSB_TRY(sdk::copy_host_to_guest(fs, from.path, to.path));
  }
  return 0;
}

}  // namespace msb::cli
