// Sandbox::attach / attach_shell over sdk/attach.h.
#include <tuple>

#include "os/terminal.h"
#include "sdk/attach.h"
#include "sdk/detach_keys.h"
#include "sdk/sandbox_impl.h"

namespace microsandbox {

AttachResult Sandbox::attach(const std::string& cmd, const std::vector<std::string>& args,
                             const AttachOptions& options) {
  using msb::sdk::value_or_throw;
  msb::sdk::AttachConfig config;
  config.detach_sequence = value_or_throw(msb::sdk::parse_detach_keys(options.detach_keys));
  config.tty = options.tty.value_or(msb::os::is_terminal(config.in_fd));
  ExecOptions exec_options;
  exec_options.env = options.env;
  exec_options.cwd = options.cwd;
  exec_options.user = options.user;
  exec_options.tty = config.tty;
  exec_options.stdin_stream = true;
  if (auto size = msb::sdk::host_window_size(config.in_fd); size && config.tty)
    std::tie(exec_options.rows, exec_options.cols) = *size;
  msb::sdk::ExecSession session = value_or_throw(msb::sdk::ExecSession::start(
      agent_socket(*impl_), exec_spec(*impl_, cmd, args, exec_options)));
  // The terminal is restored inside run_attach(), before anything is thrown here.
  msb::sdk::AttachOutcome outcome = value_or_throw(msb::sdk::run_attach(session, config));
  if (outcome.detached) return AttachResult{true, 0, 0};
  return AttachResult{false, outcome.status.code, outcome.status.signal};
}

AttachResult Sandbox::attach_shell(const AttachOptions& options) {
  std::string shell = sandbox_config(*impl_).shell;
  return attach(shell.empty() ? "/bin/sh" : shell, {}, options);
}

}  // namespace microsandbox
