#include "agent/exec_env.h"

#include "os/child_process.h"

namespace msb::agent {
namespace {

std::string_view env_key(std::string_view entry) { return entry.substr(0, entry.find('=')); }

}  // namespace

std::vector<std::string> merge_env(std::vector<std::string> base,
                                   const std::vector<std::string>& overrides) {
  for (const std::string& entry : overrides) {
    std::string_view key = env_key(entry);
    bool replaced = false;
    for (std::string& existing : base) {
      if (env_key(existing) == key) {
        existing = entry;
        replaced = true;
        break;
      }
    }
    if (!replaced) base.push_back(entry);
  }
  return base;
}

tl::expected<ExecLaunch, protocol::ExecFailed> prepare_exec(const protocol::ExecRequest& request) {
  ExecLaunch launch;
  launch.env = merge_env({std::string("PATH=") + kDefaultPath, "HOME=/root"}, request.env);
  std::string path_env = kDefaultPath;
  for (const std::string& entry : launch.env) {
    if (entry.starts_with("PATH=")) path_env = entry.substr(5);
  }
  Result<std::string> path = os::find_executable(request.cmd, path_env);
  if (!path) {
    const Error& e = path.error();
    std::string kind = e.kind == ErrorKind::kPermissionDenied ? "permission-denied" : "not-found";
    std::string message =
        e.kind == ErrorKind::kNotFound && request.cmd.find('/') == std::string::npos
            ? "command not found: " + request.cmd
            : e.message;
    return tl::unexpected(protocol::ExecFailed{kind, e.sys_errno, message});
  }
  launch.path = *path;
  launch.argv.push_back(request.cmd);
  launch.argv.insert(launch.argv.end(), request.args.begin(), request.args.end());
  launch.cwd = request.cwd.empty() ? "/" : request.cwd;
  launch.stdin_pipe = request.stdin_pipe;
  return launch;
}

}  // namespace msb::agent
