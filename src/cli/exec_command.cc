#include "cli/exec_command.h"

#include "cli/out.h"
#include "cli/sandbox_flags.h"
#include "common/paths.h"
#include "config/exec_defaults.h"
#include "config/validate.h"
#include "os/terminal.h"
#include "sdk/attach.h"
#include "sdk/lifecycle.h"

namespace msb::cli {

CLI::App* ExecCommand::add_to(CLI::App& app) {
  CLI::App* exec =
      shell_ ? app.add_subcommand("shell", "Open the sandbox's shell (interactive on a terminal)")
             : app.add_subcommand("exec", "Run a command in a sandbox");
  exec->add_option("name", name_, "Sandbox name")->required();
  exec->add_option("-e,--env", env_, "Environment variable KEY=VALUE (repeatable)");
  exec->add_option("-w,--workdir", workdir_, "Working directory (default: the sandbox's)");
  exec->add_option("-u,--user", user_, "User: name, uid or uid:gid (default: the sandbox's)");
  exec->add_flag("-t,--tty", tty_, "Use a terminal (default: when msb has one)");
  exec->add_flag("--no-tty", no_tty_, "Never use a terminal");
  exec->add_option("--timeout", timeout_s_, "Kill the command's process group after seconds");
  exec->add_option("--rlimit", rlimits_, "Resource limit RESOURCE=SOFT[:HARD] (repeatable)");
  exec->add_option("--detach-keys", detach_keys_,
                   "Keys that detach from a terminal session, e.g. ctrl-p,ctrl-q; '' for none")
      ->default_str(std::string(sdk::kDefaultDetachKeys));
  if (!shell_) exec->footer("The command follows '--': msb exec NAME -- ls -l /");
  return exec;
}

Result<int> ExecCommand::run() {
  MSB_TRY(config::validate_name(name_));
  if (!shell_ && trailing_.empty())
    return err(ErrorKind::kInvalidArgument, "exec: missing command after '--' (msb exec {} -- ls)",
               name_);
  if (timeout_s_ && (*timeout_s_ <= 0 || *timeout_s_ > 86400 * 365))
    return err(ErrorKind::kInvalidArgument, "--timeout must be a positive number of seconds");
  detach_sequence_ = MSB_TRY(sdk::parse_detach_keys(detach_keys_).context("--detach-keys"));
  store::SandboxRecord record = MSB_TRY(sdk::get_sandbox(name_));
  std::string socket = sandbox_paths(msb_home(), name_).agent_socket;
  if (sdk::is_active(record.status)) return run_in(socket);
  // A stopped sandbox runs just for this command, as `msb exec` users expect.
  sdk::StartedSandbox started = MSB_TRY(sdk::start_sandbox(name_, false));
  Result<int> code = run_in(socket);
  Result<void> stopped = sdk::stop_sandbox(name_, std::chrono::seconds(10));
  if (!code) return code;
  MSB_TRY(stopped);
  return code;
}

Result<int> ExecCommand::run_in(const std::string& socket) {
  config::SandboxConfig sandbox = MSB_TRY(sdk::sandbox_config(name_));
  std::vector<std::pair<std::string, std::string>> env;
  for (const std::string& entry : env_) {
    env.push_back(MSB_TRY(split_key_value("--env", entry)));
    MSB_TRY(config::validate_env_key(env.back().first));
  }
  bool tty = !no_tty_ && (tty_ || (os::is_terminal(0) && os::is_terminal(1)));
  const char* host_term = std::getenv("TERM");
  config::ExecSettings settings =
      config::resolve_exec_settings(sandbox, env, workdir_, user_, tty, host_term ? host_term : "");
  sdk::ExecSpec spec;
  if (shell_) {
    spec.request.cmd = sandbox.shell.empty() ? "/bin/sh" : sandbox.shell;
  } else {
    spec.request.cmd = trailing_.front();
    spec.request.args.assign(trailing_.begin() + 1, trailing_.end());
  }
  spec.request.env = std::move(settings.env);
  spec.request.cwd = std::move(settings.cwd);
  spec.request.user = std::move(settings.user);
  spec.request.rlimits = rlimits_;
  spec.request.tty = tty;
  if (auto size = sdk::host_window_size(0); size && tty)
    std::tie(spec.request.rows, spec.request.cols) = *size;
  spec.stdin_stream = true;
  if (timeout_s_) spec.timeout = std::chrono::milliseconds(int64_t(*timeout_s_ * 1000));
  sdk::ExecSession session = MSB_TRY(sdk::ExecSession::start(socket, std::move(spec)));
  sdk::AttachConfig attach;
  attach.tty = tty;
  attach.detach_sequence = detach_sequence_;
  sdk::AttachOutcome outcome = MSB_TRY(sdk::run_attach(session, attach));
  if (outcome.detached) {
    print_info("msb: detached; the command was stopped with the session");
    return 0;
  }
  return outcome.status.shell_code();
}

}  // namespace msb::cli
