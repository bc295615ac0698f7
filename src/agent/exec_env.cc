#include "agent/exec_env.h"

#include <algorithm>

#include "agent/rlimits.h"
#include "agent/user_db.h"
#include "os/child_process.h"
#include "os/file_status.h"

namespace msb::agent {
namespace {

std::string_view env_key(std::string_view entry) { return entry.substr(0, entry.find('=')); }

using ExecFailure = tl::unexpected<protocol::ExecFailed>;

// A user database file's text; a missing file is an empty database.
tl::expected<std::string, protocol::ExecFailed> read_user_db(const std::string& path) {
  Result<std::string> text = os::read_regular_file(path, kMaxUserDbBytes);
  if (text) return std::move(*text);
  if (text.error().kind == ErrorKind::kNotFound) return "";
  return ExecFailure(protocol::ExecFailed{"other", text.error().sys_errno, text.error().message});
}

// The ids and the environment defaults for request.user (the agent's own when empty).
struct UserSetup {
  std::optional<ExecIdentity> identity;
  std::vector<std::string> env_defaults;
};

tl::expected<UserSetup, protocol::ExecFailed> resolve_user(const std::string& spec,
                                                           const std::string& etc_dir) {
  UserSetup setup;
  setup.env_defaults = {std::string("PATH=") + kDefaultPath, "HOME=/root"};
  if (spec.empty()) return setup;
  std::string passwd_path = etc_dir + "/passwd";
  std::string group_path = etc_dir + "/group";
  tl::expected<std::string, protocol::ExecFailed> passwd = read_user_db(passwd_path);
  if (!passwd) return ExecFailure(passwd.error());
  tl::expected<std::string, protocol::ExecFailed> group = read_user_db(group_path);
  if (!group) return ExecFailure(group.error());
  tl::expected<ResolvedUser, std::string> user =
      resolve_user_spec(spec, parse_passwd(*passwd), parse_group(*group), passwd_path, group_path);
  if (!user) return ExecFailure(protocol::ExecFailed{"bad-user", 0, user.error()});
  setup.identity = ExecIdentity{user->uid, user->gid, {user->groups.begin(), user->groups.end()}};
  setup.env_defaults[1] = "HOME=" + user->home;
  if (!user->name.empty()) {
    setup.env_defaults.push_back("USER=" + user->name);
    setup.env_defaults.push_back("LOGNAME=" + user->name);
  }
  return setup;
}

tl::expected<std::string, protocol::ExecFailed> find_command(const protocol::ExecRequest& request,
                                                             const std::vector<std::string>& env) {
  std::string path_env = kDefaultPath;
  for (const std::string& entry : env) {
    if (entry.starts_with("PATH=")) path_env = entry.substr(5);
  }
  Result<std::string> path = os::find_executable(request.cmd, path_env);
  if (path) return std::move(*path);
  const Error& e = path.error();
  std::string kind = e.kind == ErrorKind::kPermissionDenied ? "permission-denied" : "not-found";
  std::string message = e.kind == ErrorKind::kNotFound && request.cmd.find('/') == std::string::npos
                            ? "command not found: " + request.cmd
                            : e.message;
  return ExecFailure(protocol::ExecFailed{kind, e.sys_errno, message});
}

// 0 means the default; larger than a winsize holds is clamped.
uint16_t window_dimension(uint32_t requested, uint16_t fallback) {
  if (requested == 0) return fallback;
  return static_cast<uint16_t>(std::min<uint32_t>(requested, UINT16_MAX));
}

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

tl::expected<ExecLaunch, protocol::ExecFailed> prepare_exec(const protocol::ExecRequest& request,
                                                            const std::string& etc_dir) {
  // The request's own syntax first: no file is read for a request that cannot run.
  Result<std::vector<ResourceLimit>> rlimits = parse_resource_limits(request.rlimits);
  if (!rlimits)
    return ExecFailure(protocol::ExecFailed{"resource-limit", 0, rlimits.error().message});
  tl::expected<UserSetup, protocol::ExecFailed> user = resolve_user(request.user, etc_dir);
  if (!user) return ExecFailure(user.error());
  ExecLaunch launch;
  launch.rlimits = std::move(*rlimits);
  if (request.tty) {
    ExecTerminal defaults;
    launch.terminal = ExecTerminal{window_dimension(request.rows, defaults.rows),
                                   window_dimension(request.cols, defaults.cols)};
  }
  launch.identity = std::move(user->identity);
  launch.env = merge_env(std::move(user->env_defaults), request.env);
  tl::expected<std::string, protocol::ExecFailed> path = find_command(request, launch.env);
  if (!path) return ExecFailure(path.error());
  launch.path = std::move(*path);
  launch.argv.push_back(request.cmd);
  launch.argv.insert(launch.argv.end(), request.args.begin(), request.args.end());
  launch.cwd = request.cwd.empty() ? "/" : request.cwd;
  launch.stdin_pipe = request.stdin_pipe;
  return launch;
}

}  // namespace msb::agent
