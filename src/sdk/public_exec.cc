// Sandbox::exec / shell / exec_stream and ExecStream over sdk/exec_session.h.
#include <algorithm>

#include "config/exec_defaults.h"
#include "sdk/exec_session.h"
#include "sdk/sandbox_impl.h"

namespace microsandbox {

struct ExecStream::Impl {
  msb::sdk::ExecSession session;
  // An unfinished stream cancels its process (the supervisor would too once the connection
  // closes; this is explicit and immediate).
  ~Impl() { (void)session.cancel(); }
};

struct ExecStreamAccess {
  static ExecStream make(msb::sdk::ExecSession session) {
    return ExecStream(std::make_unique<ExecStream::Impl>(std::move(session)));
  }
};

namespace {

using msb::sdk::value_or_throw;

std::string limit_text(const std::optional<uint64_t>& value) {
  return value ? std::to_string(*value) : "unlimited";
}

std::string rlimit_spec(const Rlimit& limit) {
  std::string spec = limit.resource + "=" + limit_text(limit.soft);
  if (limit.hard_given) spec += ":" + limit_text(limit.hard);
  return spec;
}

ExecEvent public_event(msb::sdk::ExecEventData event) {
  return ExecEvent{static_cast<ExecEvent::Kind>(event.kind),
                   event.pid,
                   std::move(event.data),
                   event.exit_code,
                   event.signal,
                   event.timed_out};
}

}  // namespace

msb::sdk::ExecSpec exec_spec(Sandbox::Impl& impl, const std::string& cmd,
                             const std::vector<std::string>& args, const ExecOptions& options) {
  const char* host_term = std::getenv("TERM");
  msb::config::ExecSettings settings =
      msb::config::resolve_exec_settings(sandbox_config(impl), options.env, options.cwd,
                                         options.user, options.tty, host_term ? host_term : "");
  msb::sdk::ExecSpec spec;
  spec.request.cmd = cmd;
  spec.request.args = args;
  spec.request.env = std::move(settings.env);
  spec.request.cwd = std::move(settings.cwd);
  spec.request.user = std::move(settings.user);
  for (const Rlimit& limit : options.rlimits) spec.request.rlimits.push_back(rlimit_spec(limit));
  spec.request.tty = options.tty;
  spec.request.rows = options.rows;
  spec.request.cols = options.cols;
  spec.stdin_data = options.stdin_data;
  spec.stdin_stream = options.stdin_stream;
  spec.timeout = options.timeout;
  return spec;
}

ExecOutput Sandbox::exec(const std::string& cmd, const std::vector<std::string>& args,
                         const ExecOptions& options) {
  msb::sdk::ExecResult result = value_or_throw(
      msb::sdk::run_exec(agent_socket(*impl_), exec_spec(*impl_, cmd, args, options)));
  return ExecOutput{result.exit_code, result.signal, result.timed_out,
                    std::move(result.stdout_data), std::move(result.stderr_data)};
}

ExecOutput Sandbox::shell(const std::string& script, const ExecOptions& options) {
  std::string shell = sandbox_config(*impl_).shell;
  return exec(shell.empty() ? "/bin/sh" : shell, {"-c", script}, options);
}

ExecStream Sandbox::exec_stream(const std::string& cmd, const std::vector<std::string>& args,
                                const ExecOptions& options) {
  return ExecStreamAccess::make(value_or_throw(
      msb::sdk::ExecSession::start(agent_socket(*impl_), exec_spec(*impl_, cmd, args, options))));
}

ExecStream::ExecStream(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ExecStream::ExecStream(ExecStream&&) noexcept = default;
ExecStream& ExecStream::operator=(ExecStream&&) noexcept = default;
ExecStream::~ExecStream() = default;

std::optional<ExecEvent> ExecStream::next(std::optional<std::chrono::milliseconds> timeout) {
  std::optional<msb::sdk::ExecEventData> event =
      value_or_throw(impl_->session.next(msb::sdk::deadline_after(timeout)));
  if (!event) return std::nullopt;
  return public_event(std::move(*event));
}

void ExecStream::write_stdin(std::string_view data) {
  value_or_throw(impl_->session.write_stdin(data));
}
void ExecStream::close_stdin() { value_or_throw(impl_->session.close_stdin()); }
void ExecStream::signal(int sig) { value_or_throw(impl_->session.signal(sig)); }
void ExecStream::resize(uint32_t rows, uint32_t cols) {
  value_or_throw(impl_->session.resize(rows, cols));
}
int ExecStream::pid() const { return impl_->session.pid(); }

ExecOutput ExecStream::wait() {
  ExecOutput output;
  while (std::optional<ExecEvent> event = next()) {
    if (event->kind == ExecEvent::Kind::kStdout) output.stdout_data += event->data;
    if (event->kind == ExecEvent::Kind::kStderr) output.stderr_data += event->data;
    if (event->kind == ExecEvent::Kind::kExited) {
      output.exit_code = event->exit_code;
      output.signal = event->signal;
      output.timed_out = event->timed_out;
    }
  }
  return output;
}

}  // namespace microsandbox
