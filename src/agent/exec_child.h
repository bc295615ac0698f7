// Starting an exec session's process. The code between fork and exec lives in
// exec_child.cc alone and is reviewed as security code.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <tl/expected.hpp>
#include <vector>

#include "agent/rlimits.h"
#include "os/fd.h"
#include "protocol/messages.h"

namespace msb::agent {

struct ExecProcess {
  pid_t pid = -1;
  os::Fd stdin_write;  // non-blocking; invalid when stdin is /dev/null
  os::Fd stdout_read;  // non-blocking
  os::Fd stderr_read;  // non-blocking; invalid with a terminal (it all comes as stdout)
  os::Fd terminal;     // the pty master with a terminal (stdin_write and stdout_read are
                       // copies of it), else invalid
};

// Who the process runs as, resolved before fork (the child cannot read files).
struct ExecIdentity {
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> groups;  // supplementary groups
};

// A pseudo-terminal for the process's stdin, stdout and stderr (and controlling tty).
struct ExecTerminal {
  uint16_t rows = 24;
  uint16_t cols = 80;
};

struct ExecLaunch {
  std::string path;               // resolved executable
  std::vector<std::string> argv;  // argv[0] = the command as given
  std::vector<std::string> env;   // KEY=VALUE
  std::string cwd;
  bool stdin_pipe = false;               // ignored with a terminal: stdin is the terminal
  std::optional<ExecIdentity> identity;  // nullopt: the agent's own (root)
  std::vector<ResourceLimit> rlimits;    // applied in order, before the user switch
  std::optional<ExecTerminal> terminal;  // nullopt: pipes
};

// Forks and execs. On failure returns the exec.failed payload (kind, errno, message),
// including failures inside the child (terminal, resource limits, switching user, bad
// cwd, exec errors) reported over a pipe: kinds "pty-setup", "resource-limit", "bad-user",
// "bad-cwd", "not-found", "permission-denied", "not-executable", "other". Not thread-safe
// with other forks that must not inherit the pipes (the agent is single-threaded).
tl::expected<ExecProcess, protocol::ExecFailed> start_exec_process(const ExecLaunch& launch);

}  // namespace msb::agent
