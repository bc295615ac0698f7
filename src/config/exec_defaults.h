// How a sandbox's settings fill in an exec request.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config/sandbox_config.h"

namespace msb::config {

// What an exec runs with, after the sandbox defaults have been applied.
struct ExecSettings {
  std::vector<std::string> env;  // "KEY=VALUE", one entry per key
  std::string cwd;               // never empty
  std::string user;              // "" = the image default (root)
};

// env: the sandbox env first, then the per-exec env; later wins, one entry per key, in the
// order each key first appeared. cwd: `exec_cwd` if set, else the sandbox workdir, else "/".
// user: `exec_user` if set, else the sandbox user. With `tty`, a TERM from `exec_env` or
// the sandbox env wins; without one, TERM is `host_term` (the host's $TERM, "" when unset),
// or "xterm" when that is blank or "dumb". Never fails; thread-safe.
ExecSettings resolve_exec_settings(const SandboxConfig& config,
                                   const std::vector<std::pair<std::string, std::string>>& exec_env,
                                   std::string_view exec_cwd, std::string_view exec_user, bool tty,
                                   std::string_view host_term);

}  // namespace msb::config
